// The chat's domain: events, commands, state, decide/evolve and permissions. Pure: no I/O, no framework.
export * from './shared/decider';
export * from './identity';
export * from './messaging';
