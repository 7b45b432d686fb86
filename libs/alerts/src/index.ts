export * from './alert-deliveries.repository';
export * from './alert-fanout.service';
export * from './alert-message';
export * from './alert.composer';
export * from './alerts.module';
