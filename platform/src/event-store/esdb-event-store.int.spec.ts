import { describeIntegration } from '../testing/integration';
import { eventStoreContract } from './event-store.contract';
import { EsdbEventStore } from './esdb-event-store';

describeIntegration('EventStoreDB event store', 'eventstore', (url) => {
  // Streams in the suite have random ids, so a shared server needs no cleanup beyond the connection.
  eventStoreContract(() => {
    const store = new EsdbEventStore(url);
    return { store, cleanup: () => store.close() };
  });
});
