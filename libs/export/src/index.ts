export * from './export-records';
export * from './export.module';
export * from './export.repository';
export * from './export.service';
