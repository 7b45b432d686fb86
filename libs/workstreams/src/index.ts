export * from './workstream.view';
export * from './workstreams.query';
export * from './workstreams-read.module';
