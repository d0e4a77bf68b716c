// The shape every aggregate takes: a pure decider. A command handler reads the aggregate's stream,
// folds it with `evolve` from `initialState`, asks `decide` for new events, and appends them with the
// stream revision it read. No I/O, no clock: time and ids come in with the command.

export interface Decider<State, Command, Event> {
  readonly initialState: State;
  /** The events the command produces, or a DomainError when a rule forbids it. */
  decide(command: Command, state: State): Event[] | DomainError;
  evolve(state: State, event: Event): State;
}

/** An event as the domain knows it: a discriminated union member with a `type` and its data. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/**
 * A rule the command broke. `code` becomes the contract's error code at the edge, `kind` its status:
 * validation 400, unauthorized 403, not_found 404, conflict 409.
 */
export interface DomainError {
  readonly kind: 'validation' | 'forbidden' | 'not_found' | 'conflict';
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
}

export function domainError(kind: DomainError['kind'], code: string, message: string, details?: unknown): DomainError {
  return details === undefined ? { kind, code, message } : { kind, code, message, details };
}

export function isDomainError(value: unknown): value is DomainError {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'kind' in value && 'code' in value && 'message' in value;
}

export function fold<State, Event>(decider: Pick<Decider<State, unknown, Event>, 'evolve' | 'initialState'>, events: Iterable<Event>): State {
  let state = decider.initialState;
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

/** For the `default` branch of a switch over a union: the compiler fails if a case is missing. */
export function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

/** Text length as people count it: code points, so an emoji is one, not two UTF-16 units. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}
