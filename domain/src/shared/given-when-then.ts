// Domain specifications read as: given these past events, when this command, then these events (or this error).
import { type Decider, type DomainError, fold, isDomainError } from './decider';

export function specification<State, Command, Event>(decider: Decider<State, Command, Event>) {
  return (given: Event[]) => ({
    when: (command: Command) => {
      const outcome = decider.decide(command, fold(decider, given));
      return {
        then: (expected: Event[]) => {
          if (isDomainError(outcome)) throw new Error(`expected events, got error ${outcome.code}: ${outcome.message}`);
          expect(outcome).toEqual(expected);
        },
        thenError: (expected: Partial<DomainError>) => {
          if (!isDomainError(outcome)) throw new Error(`expected error ${expected.code ?? ''}, got events ${JSON.stringify(outcome)}`);
          expect(outcome).toMatchObject(expected);
        },
      };
    },
  });
}
