import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import type { Message } from '../api/types';
import { TYPING_IDLE_MS, TYPING_RENEW_MS, canSubmit, composerMachine, draftOf, modeOf, type ComposerEmitted } from './composer.machine';

const message: Message = { id: 'm1', roomId: 'r1', seq: 1, authorId: 'me', text: 'first version', createdAt: '', deleted: false, reactions: {}, attachments: [] };

function start(maxLength = 4000) {
  const emitted: ComposerEmitted[] = [];
  const actor = createActor(composerMachine, { input: { maxLength } });
  actor.on('*', (event) => void emitted.push(event));
  actor.start();
  actor.send({ type: 'OPEN_ROOM', roomId: 'r1' });
  const typing = () => emitted.filter((event) => event.type === 'typing').map((event) => (event.type === 'typing' ? `${event.roomId}:${event.state}` : ''));
  const submitted = () => emitted.flatMap((event) => (event.type === 'submitted' ? [event.submission] : []));
  return { actor, typing, submitted };
}

describe('composer machine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps a draft per room', () => {
    const { actor } = start();
    actor.send({ type: 'INPUT', text: 'for room one' });
    actor.send({ type: 'OPEN_ROOM', roomId: 'r2' });
    expect(draftOf(actor.getSnapshot().context)).toBe('');
    actor.send({ type: 'INPUT', text: 'for room two' });
    actor.send({ type: 'OPEN_ROOM', roomId: 'r1' });
    expect(draftOf(actor.getSnapshot().context)).toBe('for room one');
  });

  it('signals typing once when it starts, renews it while typing goes on, and stops after a pause', async () => {
    const { actor, typing } = start();
    actor.send({ type: 'INPUT', text: 'h' });
    actor.send({ type: 'INPUT', text: 'he' });
    expect(typing()).toEqual(['r1:start']);
    await vi.advanceTimersByTimeAsync(TYPING_RENEW_MS);
    actor.send({ type: 'INPUT', text: 'hel' });
    expect(typing()).toEqual(['r1:start', 'r1:start']);
    await vi.advanceTimersByTimeAsync(TYPING_IDLE_MS - 1);
    expect(typing()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(typing()).toEqual(['r1:start', 'r1:start', 'r1:stop']);
    expect(actor.getSnapshot().matches('idle')).toBe(true);
  });

  it('stops typing when the text is cleared or the room is left', () => {
    const { actor, typing } = start();
    actor.send({ type: 'INPUT', text: 'hi' });
    actor.send({ type: 'INPUT', text: '' });
    actor.send({ type: 'INPUT', text: 'again' });
    actor.send({ type: 'OPEN_ROOM', roomId: 'r2' });
    expect(typing()).toEqual(['r1:start', 'r1:stop', 'r1:start', 'r1:stop']);
  });

  it('submits the trimmed draft, clears it and stops typing', () => {
    const { actor, typing, submitted } = start();
    actor.send({ type: 'INPUT', text: '  hello there \n' });
    actor.send({ type: 'SUBMIT' });
    expect(submitted()).toEqual([{ roomId: 'r1', text: 'hello there', mode: { kind: 'new' } }]);
    expect(typing()).toEqual(['r1:start', 'r1:stop']);
    expect(draftOf(actor.getSnapshot().context)).toBe('');
  });

  it('refuses to submit blank text or text over the limit (counted in code points)', () => {
    const { actor, submitted } = start(3);
    actor.send({ type: 'INPUT', text: '   ' });
    actor.send({ type: 'SUBMIT' });
    actor.send({ type: 'INPUT', text: '😀😀😀' });
    expect(canSubmit(actor.getSnapshot().context)).toBe(true);
    actor.send({ type: 'INPUT', text: 'abcd' });
    expect(canSubmit(actor.getSnapshot().context)).toBe(false);
    actor.send({ type: 'SUBMIT' });
    expect(submitted()).toEqual([]);
  });

  it('replies: the submission carries the message replied to, and the mode ends', () => {
    const { actor, submitted } = start();
    actor.send({ type: 'REPLY', message });
    actor.send({ type: 'INPUT', text: 'answer' });
    actor.send({ type: 'SUBMIT' });
    expect(submitted()[0]?.mode).toEqual({ kind: 'reply', message });
    expect(modeOf(actor.getSnapshot().context)).toEqual({ kind: 'new' });
  });

  it('edits: starts from the message text, sends no typing signal, and cancelling empties the draft', () => {
    const { actor, typing, submitted } = start();
    actor.send({ type: 'EDIT', message });
    expect(draftOf(actor.getSnapshot().context)).toBe('first version');
    actor.send({ type: 'INPUT', text: 'second version' });
    expect(typing()).toEqual([]);
    actor.send({ type: 'SUBMIT' });
    expect(submitted()[0]).toEqual({ roomId: 'r1', text: 'second version', mode: { kind: 'edit', message } });
    actor.send({ type: 'EDIT', message });
    actor.send({ type: 'CANCEL_MODE' });
    expect(draftOf(actor.getSnapshot().context)).toBe('');
    expect(modeOf(actor.getSnapshot().context).kind).toBe('new');
  });
});
