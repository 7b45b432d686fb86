export * from './domain-error';
export * from './input-rules';
export * from './parse';
export * from './uuid';
