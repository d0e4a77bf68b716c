export {};
export * from './client-frames';
export * from './realtime-metrics';
export * from './room-membership';
export * from './start-realtime';
export * from './websocket-server';
