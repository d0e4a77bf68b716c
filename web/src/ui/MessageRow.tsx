// One message: author, time, text, its marks (edited, deleted, forwarded), the message it replies
// to, reactions with counts and who reacted, and the actions the reader's role allows.
import { useState } from 'react';
import type { Message, RoomRole } from '../api/types';
import { useChat } from '../app/context';
import { timeOf } from '../app/format';
import { mayModerate } from '../app/roles';
import { FormDialog } from './Dialog';
import type { Row } from './MessageList';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'];


export function MessageRow({ row, roomId, role, messages }: { row: Row; roomId: string; role: RoomRole; messages: readonly Message[] }) {
  const chat = useChat();
  if (row.kind === 'outgoing') {
    const { item } = row;
    const replied = item.replyTo ? messages.find((message) => message.id === item.replyTo) : undefined;
    return (
      <article className={`message mine outgoing status-${item.status}`} aria-label={`You: ${item.text}`} data-status={item.status}>
        <div className="bubble">
          {replied && <ReplyPreview message={replied} />}
          <p className="text">{item.text}</p>
          <footer className="message-footer">
            {item.status === 'failed' ? (
              <span className="failed" role="alert">
                Not sent{item.error ? `: ${item.error}` : ''}.{' '}
                <button type="button" onClick={() => chat.outbox.send({ type: 'RETRY', clientMessageId: item.clientMessageId })}>
                  Retry
                </button>{' '}
                <button type="button" onClick={() => chat.outbox.send({ type: 'DISCARD', clientMessageId: item.clientMessageId })}>
                  Discard
                </button>
              </span>
            ) : (
              <span className="sending">{item.status === 'sent' ? 'Sent' : 'Sending…'}</span>
            )}
          </footer>
        </div>
      </article>
    );
  }
  return <StoredMessage message={row.message} roomId={roomId} role={role} messages={messages} />;
}

function ReplyPreview({ message }: { message: Message | undefined }) {
  const chat = useChat();
  return (
    <blockquote className="reply-preview">
      {message ? (
        <>
          <span className="reply-author">{chat.userName(message.authorId)}</span>
          <span className="reply-text">{message.deleted ? 'Message deleted' : message.text}</span>
        </>
      ) : (
        <span className="reply-text">An earlier message</span>
      )}
    </blockquote>
  );
}

function StoredMessage({ message, roomId, role, messages }: { message: Message; roomId: string; role: RoomRole; messages: readonly Message[] }) {
  const chat = useChat();
  const [picking, setPicking] = useState(false);
  const [forwarding, setForwarding] = useState(false);
  const mine = message.authorId === chat.me.id;
  const author = mine ? 'You' : chat.userName(message.authorId);
  const pinned = chat.details.get(roomId)?.pinned.includes(message.id) ?? false;
  const replied = message.replyTo ? messages.find((candidate) => candidate.id === message.replyTo) : undefined;

  const toggleReaction = (emoji: string) => {
    const reacted = message.reactions[emoji]?.includes(chat.me.id);
    void chat.act(reacted ? chat.api.unreact(roomId, message.id, emoji) : chat.api.react(roomId, message.id, emoji));
    setPicking(false);
  };

  const copy = () => {
    void chat.act(navigator.clipboard.writeText(message.text));
  };

  const remove = () => {
    if (window.confirm('Delete this message for everyone?')) void chat.act(chat.api.deleteMessage(roomId, message.id));
  };

  const reactionEntries = Object.entries(message.reactions).filter(([, userIds]) => userIds.length > 0);
  return (
    <article
      className={`message${mine ? ' mine' : ''}${message.deleted ? ' deleted' : ''}`}
      aria-label={`${author}, ${timeOf(message.createdAt)}: ${message.deleted ? 'deleted message' : message.text}`}
      data-seq={message.seq}
      data-message-id={message.id}
    >
      <div className="bubble-wrap">
        <div className="bubble">
          <header className="message-header">
            <span className="author">{author}</span>
            <time dateTime={message.createdAt}>{timeOf(message.createdAt)}</time>
            {pinned && <span className="mark pinned-mark">📌 pinned</span>}
          </header>
          {message.forwardedFrom && !message.deleted && <p className="mark forwarded-mark">↪ Forwarded from {chat.userName(message.forwardedFrom.authorId)}</p>}
          {message.replyTo && !message.deleted && <ReplyPreview message={replied} />}
          {message.deleted ? <p className="text deleted-text">This message was deleted</p> : <p className="text">{message.text}</p>}
          {message.editedAt && !message.deleted && <span className="mark edited-mark">(edited)</span>}
          {reactionEntries.length > 0 && (
            <ul className="reactions" aria-label="Reactions">
              {reactionEntries.map(([emoji, userIds]) => {
                const who = userIds.map((userId) => (userId === chat.me.id ? 'you' : chat.userName(userId))).join(', ');
                const mineToo = userIds.includes(chat.me.id);
                return (
                  <li key={emoji}>
                    <button
                      type="button"
                      className={`reaction${mineToo ? ' reacted' : ''}`}
                      aria-pressed={mineToo}
                      aria-label={`${emoji} ${userIds.length}: ${who}`}
                      title={who}
                      onClick={() => toggleReaction(emoji)}
                    >
                      {emoji} <span className="count">{userIds.length}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
        {!message.deleted && (
          <div className="message-actions" role="toolbar" aria-label="Message actions">
            <button type="button" onClick={() => chat.composer.send({ type: 'REPLY', message })}>
              Reply
            </button>
            <button type="button" aria-expanded={picking} onClick={() => setPicking((open) => !open)}>
              React
            </button>
            <button type="button" onClick={copy}>
              Copy
            </button>
            <button type="button" onClick={() => setForwarding(true)}>
              Forward
            </button>
            {mine && (
              <button type="button" onClick={() => chat.composer.send({ type: 'EDIT', message })}>
                Edit
              </button>
            )}
            {(mine || mayModerate(role)) && (
              <button type="button" onClick={remove}>
                Delete
              </button>
            )}
            {mayModerate(role) && (
              <button type="button" onClick={() => void chat.act(pinned ? chat.api.unpin(roomId, message.id) : chat.api.pin(roomId, message.id)).then(() => chat.loadDetails(roomId))}>
                {pinned ? 'Unpin' : 'Pin'}
              </button>
            )}
            {picking && (
              <div className="quick-reactions" role="group" aria-label="Pick a reaction">
                {QUICK_REACTIONS.map((emoji) => (
                  <button key={emoji} type="button" aria-label={`React with ${emoji}`} onClick={() => toggleReaction(emoji)}>
                    {emoji}
                  </button>
                ))}
              </div>
            )}
          </div>
        )}
      </div>
      {forwarding && <ForwardDialog message={message} roomId={roomId} onClose={() => setForwarding(false)} />}
    </article>
  );
}

function ForwardDialog({ message, roomId, onClose }: { message: Message; roomId: string; onClose: () => void }) {
  const chat = useChat();
  const [chosen, setChosen] = useState<string[]>([]);
  const [problem, setProblem] = useState<string>();
  const targets = chat.rooms.filter((room) => room.id !== roomId);
  const forward = async () => {
    if (chosen.length === 0) {
      setProblem('Choose at least one room');
      return;
    }
    try {
      await chat.api.forward(roomId, message.id, chosen);
      onClose();
    } catch (error) {
      setProblem(error instanceof Error ? error.message : 'Not forwarded');
    }
  };
  return (
    <FormDialog title="Forward to…" submitLabel="Forward" problem={problem} onSubmit={() => void forward()} onClose={onClose}>
      <blockquote className="reply-preview">
        <span className="reply-text">{message.text}</span>
      </blockquote>
      {targets.length === 0 ? (
        <p>No other rooms to forward to.</p>
      ) : (
        <fieldset className="room-choices">
          <legend className="visually-hidden">Rooms</legend>
          {targets.map((room) => {
            const name = room.kind === 'direct' && room.peerId ? (chat.user(room.peerId)?.displayName ?? room.name) : room.name;
            return (
              <label key={room.id} className="choice">
                <input
                  type="checkbox"
                  checked={chosen.includes(room.id)}
                  onChange={(event) => setChosen((current) => (event.target.checked ? [...current, room.id] : current.filter((id) => id !== room.id)))}
                />
                {name}
              </label>
            );
          })}
        </fieldset>
      )}
    </FormDialog>
  );
}
