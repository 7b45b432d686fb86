export * from './webhook-endpoints.repository';
export * from './webhook-errors';
export * from './webhook-fanout.service';
export * from './webhook-input';
export * from './webhook-payload';
export * from './webhook.composer';
export * from './webhooks-admin.service';
export * from './webhooks.module';
