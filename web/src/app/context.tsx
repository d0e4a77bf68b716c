// React access to the signed-in client.
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Chat } from './chat';

export const ChatContext = createContext<Chat | undefined>(undefined);

/** The client, re-rendering the caller whenever its data changes. */
export function useChat(): Chat {
  const chat = useContext(ChatContext);
  if (!chat) throw new Error('useChat outside a signed-in page');
  useSyncExternalStore(chat.subscribe, chat.getVersion);
  return chat;
}
