export * from './link-tokens';
export * from './subscriber-links';
export * from './subscriber-links.module';
