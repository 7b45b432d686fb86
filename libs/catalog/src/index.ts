export * from './catalog.module';
export * from './catalog.service';
