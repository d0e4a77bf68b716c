// The message input: a draft per room (switching rooms keeps what was typed), reply and edit modes,
// and the typing signal for the others: "start" when typing begins, renewed while it goes on (the
// server drops a typing state after 5 s without one), "stop" on sending, pausing or leaving the room.
import { assign, emit, enqueueActions, setup } from 'xstate';
import type { Message } from '../api/types';

export const TYPING_RENEW_MS = 3_000;
export const TYPING_IDLE_MS = 4_000;

export type ComposerMode = { kind: 'new' } | { kind: 'reply'; message: Message } | { kind: 'edit'; message: Message };

export interface Submission {
  readonly roomId: string;
  readonly text: string;
  readonly mode: ComposerMode;
}

export interface ComposerContext {
  readonly roomId?: string;
  readonly drafts: Readonly<Record<string, string>>;
  readonly modes: Readonly<Record<string, ComposerMode>>;
  /** Code points a message may hold (GET /api/config). */
  readonly maxLength: number;
  /** Epoch ms when "start" was last sent for the current room. */
  readonly typingSentAt: number;
}

export type ComposerEvent =
  | { type: 'OPEN_ROOM'; roomId: string }
  | { type: 'INPUT'; text: string }
  | { type: 'SUBMIT' }
  | { type: 'REPLY'; message: Message }
  | { type: 'EDIT'; message: Message }
  | { type: 'CANCEL_MODE' }
  | { type: 'SET_LIMIT'; maxLength: number };

/** What the composer tells the app (`actor.on(...)`). */
export type ComposerEmitted = { type: 'typing'; roomId: string; state: 'start' | 'stop' } | { type: 'submitted'; submission: Submission };

export const codePoints = (text: string) => [...text].length;

const NEW: ComposerMode = { kind: 'new' };

export function draftOf(context: ComposerContext): string {
  return context.roomId ? (context.drafts[context.roomId] ?? '') : '';
}

export function modeOf(context: ComposerContext): ComposerMode {
  return context.roomId ? (context.modes[context.roomId] ?? NEW) : NEW;
}

/** Whether the draft can be sent: something besides whitespace, within the limit. */
export function canSubmit(context: ComposerContext): boolean {
  const text = draftOf(context).trim();
  return context.roomId !== undefined && text.length > 0 && codePoints(text) <= context.maxLength;
}

export const composerMachine = setup({
  types: {
    context: {} as ComposerContext,
    events: {} as ComposerEvent,
    emitted: {} as ComposerEmitted,
    input: {} as { maxLength?: number },
  },
  actions: {
    setDraft: assign(({ context }, text: string) => (context.roomId ? { drafts: { ...context.drafts, [context.roomId]: text } } : {})),
    setMode: assign(({ context }, mode: ComposerMode) => (context.roomId ? { modes: { ...context.modes, [context.roomId]: mode } } : {})),
    startTyping: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'typing', roomId: context.roomId!, state: 'start' });
      enqueue.assign({ typingSentAt: Date.now() });
    }),
    renewIfDue: enqueueActions(({ context, enqueue }) => {
      if (Date.now() - context.typingSentAt < TYPING_RENEW_MS) return;
      enqueue.emit({ type: 'typing', roomId: context.roomId!, state: 'start' });
      enqueue.assign({ typingSentAt: Date.now() });
    }),
    stopTyping: emit(({ context }) => ({ type: 'typing' as const, roomId: context.roomId!, state: 'stop' as const })),
    submitDraft: enqueueActions(({ context, enqueue }) => {
      const roomId = context.roomId!;
      enqueue.emit({ type: 'submitted', submission: { roomId, text: draftOf(context).trim(), mode: modeOf(context) } });
      enqueue.assign({ drafts: { ...context.drafts, [roomId]: '' }, modes: { ...context.modes, [roomId]: NEW } });
    }),
    cancelMode: assign(({ context }) => {
      if (!context.roomId) return {};
      const wasEditing = modeOf(context).kind === 'edit';
      return { modes: { ...context.modes, [context.roomId]: NEW }, drafts: wasEditing ? { ...context.drafts, [context.roomId]: '' } : context.drafts };
    }),
  },
  guards: {
    hasText: ({ context, event }) => context.roomId !== undefined && event.type === 'INPUT' && event.text.trim().length > 0,
    canSubmit: ({ context }) => canSubmit(context),
    editing: ({ context }) => modeOf(context).kind === 'edit',
  },
  delays: { typingIdle: TYPING_IDLE_MS },
}).createMachine({
  id: 'composer',
  context: ({ input }) => ({ drafts: {}, modes: {}, maxLength: input.maxLength ?? 4000, typingSentAt: 0 }),
  initial: 'idle',
  on: {
    SET_LIMIT: { actions: assign({ maxLength: ({ event }) => event.maxLength }) },
    REPLY: { actions: { type: 'setMode', params: ({ event }) => ({ kind: 'reply' as const, message: event.message }) } },
    CANCEL_MODE: { actions: 'cancelMode' },
  },
  states: {
    idle: {
      on: {
        OPEN_ROOM: { actions: assign({ roomId: ({ event }) => event.roomId }) },
        INPUT: [
          // Editing an old message is nobody's news: no typing signal then.
          { guard: 'editing', actions: { type: 'setDraft', params: ({ event }) => event.text } },
          { guard: 'hasText', target: 'typing', actions: [{ type: 'setDraft', params: ({ event }) => event.text }, 'startTyping'] },
          { actions: { type: 'setDraft', params: ({ event }) => event.text } },
        ],
        EDIT: {
          actions: [
            { type: 'setMode', params: ({ event }) => ({ kind: 'edit' as const, message: event.message }) },
            { type: 'setDraft', params: ({ event }) => event.message.text },
          ],
        },
        SUBMIT: { guard: 'canSubmit', actions: 'submitDraft' },
      },
    },
    typing: {
      after: { typingIdle: { target: 'idle', actions: 'stopTyping' } },
      on: {
        INPUT: [
          { guard: 'hasText', target: 'typing', reenter: true, actions: [{ type: 'setDraft', params: ({ event }) => event.text }, 'renewIfDue'] },
          { target: 'idle', actions: [{ type: 'setDraft', params: ({ event }) => event.text }, 'stopTyping'] },
        ],
        SUBMIT: { guard: 'canSubmit', target: 'idle', actions: ['stopTyping', 'submitDraft'] },
        OPEN_ROOM: { target: 'idle', actions: ['stopTyping', assign({ roomId: ({ event }) => event.roomId })] },
        EDIT: {
          target: 'idle',
          actions: [
            'stopTyping',
            { type: 'setMode', params: ({ event }) => ({ kind: 'edit' as const, message: event.message }) },
            { type: 'setDraft', params: ({ event }) => event.message.text },
          ],
        },
      },
    },
  },
});
