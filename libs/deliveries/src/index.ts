export * from './deliveries-admin.service';
export * from './deliveries.module';
export * from './deliveries.repository';
export * from './delivery-channels';
export * from './delivery-composers';
export * from './delivery-queue';
export * from './delivery-reconciler.service';
export * from './delivery-sender';
