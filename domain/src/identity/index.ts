export * from './user.events';
export * from './user.commands';
export * from './user.state';
export * from './user.decider';
export * from './user.activity';
export * from './username-reservation';
export * from './validation';
export * from './user.ids';
