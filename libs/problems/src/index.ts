export * from './domain-error';
export * from './parse';
