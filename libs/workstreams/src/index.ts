export * from './workstream.view';
