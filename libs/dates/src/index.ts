export * from './date-precision';
