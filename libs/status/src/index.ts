export * from './evaluate-health';
