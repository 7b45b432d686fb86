export * from './check-runs.service';
export * from './evaluate-health';
export * from './health-history.service';
export * from './status-check-requests.service';
export * from './status-check.service';
export { STATUS_CHECK_ACTOR, type StatusChange } from './status-check.sql';
export * from './status.module';
