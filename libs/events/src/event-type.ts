import { EventType } from '@pledgewatch/database';

/** The API's event type names. Prisma's enum keys are the same with `_` for the first `.`. */
export const EVENT_TYPE_NAMES = [
  'workstream.created',
  'workstream.health_changed',
  'workstream.stage_changed',
  'milestone.completed',
  'milestone.overdue',
  'milestone.rescheduled',
  'milestone.added',
  'milestone.status_changed',
] as const;
export type EventTypeName = (typeof EVENT_TYPE_NAMES)[number];

/** Types that email subscribers at once; the others appear in digests and feeds only (docs/api.md#instant-alerts). */
export const INSTANT_ALERT_TYPES: readonly EventTypeName[] = [
  'workstream.health_changed',
  'workstream.stage_changed',
  'milestone.completed',
  'milestone.overdue',
  'milestone.rescheduled',
];

export function eventTypeName(type: EventType): EventTypeName {
  return type.replace('_', '.') as EventTypeName;
}

export function eventTypeFromName(name: EventTypeName): EventType {
  return name.replace('.', '_') as EventType;
}
