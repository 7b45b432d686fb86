export * from './evaluate-health';
export * from './health-history.service';
export { STATUS_CHECK_ACTOR, type StatusChange } from './status-check.sql';
