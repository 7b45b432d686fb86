import type { EventTypeName } from '@pledgewatch/events';
import { humanValue, oneLine } from '@pledgewatch/mail';

/** What an entry title needs to know about one event. */
export interface TitledEvent {
  type: EventTypeName;
  from: string | null;
  to: string | null;
  workstreamTitle: string;
  milestoneTitle: string | null;
}

/** What changed, after the workstream's title. */
function changeOf(e: TitledEvent): string {
  const arrow = `${humanValue(e.from)} → ${humanValue(e.to)}`;
  const m = e.milestoneTitle ? `“${e.milestoneTitle}”` : 'a milestone';
  switch (e.type) {
    case 'workstream.created':
      return 'added to the tracker';
    case 'workstream.health_changed':
      return `health ${arrow}`;
    case 'workstream.stage_changed':
      return `stage ${arrow}`;
    case 'milestone.completed':
      return `${m} completed`;
    case 'milestone.overdue':
      return `${m} overdue`;
    case 'milestone.rescheduled':
      return `${m} rescheduled ${arrow}`;
    case 'milestone.added':
      return `milestone added: ${m}`;
    case 'milestone.status_changed':
      return `${m} ${arrow}`;
  }
}

/**
 * A title a person understands in a feed reader's list:
 * `Patrol vessel for Indonesia: health off track → at risk`. Plain text, on one line.
 */
export function entryTitle(e: TitledEvent): string {
  return oneLine(`${e.workstreamTitle}: ${changeOf(e)}`);
}
