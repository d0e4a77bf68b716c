// The write path of every command: read the aggregate's stream, fold it, decide, append with the
// revision read. When another writer appended in between, the append conflicts and the command is
// decided again on the fresh state (never forced), a bounded number of times.
import { type Decider, type DomainError, type DomainEvent, fold, isDomainError } from '@chat/domain';
import { ApiError, type EventMetadata, type EventStore, WrongExpectedRevision } from '@chat/platform';
import { randomUUID } from 'node:crypto';

const MAX_ATTEMPTS = 5;

export interface Decided<State, Event> {
  /** What the command decided: none when it changed nothing. */
  readonly events: readonly Event[];
  /** The state the command was decided on, with those events applied. */
  readonly after: State;
}

export interface AppendOptions<Event> {
  /**
   * The id of each event decided, when several processes may record the same fact: the event store keeps an
   * event whose id it already holds once. Random otherwise.
   */
  readonly eventId?: (event: Event) => string;
}

/**
 * `commandFor` builds the command from the current state: what needs the state but is not pure (a
 * password verified against the stored hash) is done there, and done again on a retry.
 */
export async function decideAndAppend<State, Command, Event extends DomainEvent>(
  eventStore: EventStore,
  streamId: string,
  decider: Decider<State, Command, Event>,
  commandFor: (state: State) => Command | Promise<Command>,
  metadata: EventMetadata,
  options: AppendOptions<Event> = {},
): Promise<Decided<State, Event> | DomainError> {
  const eventId = options.eventId ?? (() => randomUUID());
  for (let attempt = 1; ; attempt++) {
    const { state, revision } = await readState(eventStore, streamId, decider);
    const events = decider.decide(await commandFor(state), state);
    if (isDomainError(events)) return events;
    if (events.length === 0) return { events, after: state };
    try {
      await eventStore.appendToStream(
        streamId,
        events.map((event) => ({ id: eventId(event), type: event.type, data: event.data, metadata })),
        { expectedRevision: revision ?? 'no_stream' },
      );
      return { events, after: events.reduce((folded, event) => decider.evolve(folded, event), state) };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) throw error;
      if (attempt === MAX_ATTEMPTS) throw ApiError.conflict('The change collided with others too often; try again', { streamId });
    }
  }
}

/** The aggregate as its stream holds it now, and the revision to append after. */
export async function readState<State, Event extends DomainEvent>(
  eventStore: EventStore,
  streamId: string,
  decider: Pick<Decider<State, unknown, Event>, 'evolve' | 'initialState'>,
): Promise<{ state: State; revision: number | undefined }> {
  const recorded = await eventStore.readStream(streamId);
  const state = fold(decider, recorded.map((event) => ({ type: event.type, data: event.data }) as Event));
  return { state, revision: recorded.at(-1)?.revision };
}
