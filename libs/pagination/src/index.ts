export * from './keyset-cursor';
export * from './sort-key-cursor';
