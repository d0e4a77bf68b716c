export * from './config/config';
export * from './event-store/event-store';
export * from './change-feed/change-feed';
export * from './key-value/key-value-store';
export * from './checkpoints/checkpoint-store';
