import { whatHappened, type StoryEvent } from '@pledgewatch/events';
import { oneLine } from '@pledgewatch/mail';

/** What an entry title needs to know about one event. */
export interface TitledEvent extends StoryEvent {
  workstream: { title: string };
}

/**
 * A title a person understands in a feed reader's list, naming what happened:
 * `Patrol vessel for Indonesia: Milestone 'Vessel delivered' rescheduled from March 2027 to March 2028`.
 * Plain text, on one line.
 */
export function entryTitle(e: TitledEvent): string {
  return oneLine(`${e.workstream.title}: ${whatHappened(e)}`);
}
