export * from './api-key';
export * from './api-keys.service';
export * from './api-keys.repository';
export * from './auth.module';
export * from './principal';
