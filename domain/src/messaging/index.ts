export * from './roles';
export * from './ids';
export * from './validation';
export * from './room.events';
export * from './room.commands';
export * from './room.state';
export * from './room.decider';
export * from './unread';
