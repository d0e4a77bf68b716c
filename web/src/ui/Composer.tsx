// The input: multiline, Enter sends and Shift+Enter breaks the line, an emoji picker, reply and edit
// modes, and the server's length limit shown before the server would refuse.
import { useSelector } from '@xstate/react';
import { useEffect, useRef, useState } from 'react';
import { useChat } from '../app/context';
import { codePoints, draftOf, modeOf } from '../machines/composer.machine';
import { EmojiPicker } from './EmojiPicker';

export function Composer({ roomId }: { roomId: string }) {
  const chat = useChat();
  const draft = useSelector(chat.composer, (snapshot) => (snapshot.context.roomId === roomId ? draftOf(snapshot.context) : ''));
  const mode = useSelector(chat.composer, (snapshot) => modeOf(snapshot.context));
  const maxLength = useSelector(chat.composer, (snapshot) => snapshot.context.maxLength);
  const [picking, setPicking] = useState(false);
  const textarea = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (mode.kind !== 'new') textarea.current?.focus();
  }, [mode]);

  // Opening a room puts the cursor in its input, where a keyboard has it (not on touch screens, where
  // that would open the on-screen keyboard over the messages).
  useEffect(() => {
    if (window.matchMedia('(pointer: fine)').matches) textarea.current?.focus();
  }, [roomId]);

  // Grows with its text up to a few lines.
  useEffect(() => {
    const element = textarea.current;
    if (!element) return;
    element.style.height = 'auto';
    element.style.height = `${Math.min(element.scrollHeight, 160)}px`;
  }, [draft]);

  const length = codePoints(draft.trim());
  const over = length - maxLength;
  const nearLimit = length > maxLength * 0.9;
  const submit = () => chat.composer.send({ type: 'SUBMIT' });

  const insert = (emoji: string) => {
    const element = textarea.current;
    const start = element?.selectionStart ?? draft.length;
    const end = element?.selectionEnd ?? draft.length;
    chat.composer.send({ type: 'INPUT', text: draft.slice(0, start) + emoji + draft.slice(end) });
    setPicking(false);
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      {mode.kind !== 'new' && (
        <div className="composer-mode">
          <span>
            {mode.kind === 'reply' ? `Replying to ${chat.userName(mode.message.authorId)}: ` : 'Editing: '}
            <span className="mode-text">{mode.message.text}</span>
          </span>
          <button type="button" aria-label={mode.kind === 'reply' ? 'Cancel the reply' : 'Cancel editing'} onClick={() => chat.composer.send({ type: 'CANCEL_MODE' })}>
            ×
          </button>
        </div>
      )}
      <div className="composer-row">
        <button type="button" className="icon-button" aria-label="Emoji" aria-expanded={picking} onClick={() => setPicking((open) => !open)}>
          😊
        </button>
        <label htmlFor="message-input" className="visually-hidden">
          Message
        </label>
        <textarea
          id="message-input"
          ref={textarea}
          rows={1}
          value={draft}
          placeholder="Write a message…"
          aria-invalid={over > 0 ? true : undefined}
          aria-describedby="message-limit"
          onChange={(event) => chat.composer.send({ type: 'INPUT', text: event.target.value })}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              submit();
            } else if (event.key === 'Escape' && mode.kind !== 'new') {
              chat.composer.send({ type: 'CANCEL_MODE' });
            }
          }}
        />
        <button type="submit" className="primary send" disabled={length === 0 || over > 0}>
          {mode.kind === 'edit' ? 'Save' : 'Send'}
        </button>
      </div>
      <p id="message-limit" className={`limit${over > 0 ? ' over' : ''}`} aria-live="polite">
        {over > 0 ? `${over} ${over === 1 ? 'character' : 'characters'} over the limit of ${maxLength}` : nearLimit ? `${maxLength - length} characters left` : ''}
      </p>
      {picking && <EmojiPicker onPick={insert} onClose={() => setPicking(false)} />}
    </form>
  );
}
