import { InProcessKeyValueStore } from '../key-value/in-process-key-value-store';
import { presenceTrackerContract } from './presence-tracker.contract';

describe('PresenceTracker on the in-process store', () => {
  presenceTrackerContract(async () => {
    const store = new InProcessKeyValueStore();
    return { store, cleanup: () => store.close() };
  });
});
