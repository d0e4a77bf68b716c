export * from './processor/projection';
export * from './processor/projection-processor';
export * from './processor/projection-stores';
export * from './projections/stream-index.projection';
export * from './catalogue';
export * from './projectors-service';
