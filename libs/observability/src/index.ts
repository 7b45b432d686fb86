export * from './health';
export * from './logging';
export * from './metrics';
export * from './metrics-endpoint';
export * from './metrics.collectors';
export * from './observability.module';
export * from './ops-server';
