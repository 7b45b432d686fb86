import { Injectable } from '@nestjs/common';
import { buildDigestContent, DigestContent, DigestTopics, topicKey, WeekSnapshot } from './digest-content';
import { DigestContentRepository } from './digest-content.repository';

interface CachedWeek {
  loadedAt: number;
  snapshot: Promise<WeekSnapshot>;
  /** Content by topic key: subscribers who follow the same topics share one computation. */
  contents: Map<string, DigestContent>;
}

/** How long a week snapshot serves sends in this process; a retry after that sees fresh data. */
export const SNAPSHOT_TTL_MS = 10 * 60_000;
/** As-of instants kept at once: a catch-up run spans at most a day of slots. */
const MAX_WEEKS = 48;

/**
 * Per process: one week snapshot per as-of instant (a handful of queries), and one content per
 * (as-of, topic set). Every subscriber due in a slot shares that slot's as-of instant, so a slot's
 * 100,000 digests cost as many content computations as there are distinct topic sets.
 */
@Injectable()
export class DigestContentCache {
  private readonly weeks = new Map<string, CachedWeek>();

  constructor(private readonly repository: DigestContentRepository) {}

  async contentFor(asOf: Date, topics: DigestTopics): Promise<DigestContent> {
    const week = this.week(asOf);
    const key = topicKey(topics);
    let content = week.contents.get(key);
    if (!content) {
      const snapshot = await week.snapshot;
      content = week.contents.get(key) ?? buildDigestContent(snapshot, topics);
      week.contents.set(key, content);
    }
    return content;
  }

  clear(): void {
    this.weeks.clear();
  }

  private week(asOf: Date): CachedWeek {
    const key = asOf.toISOString();
    const now = Date.now();
    let week = this.weeks.get(key);
    if (!week || now - week.loadedAt > SNAPSHOT_TTL_MS) {
      const snapshot = this.repository.loadWeek(asOf);
      week = { loadedAt: now, snapshot, contents: new Map() };
      this.weeks.delete(key);
      this.weeks.set(key, week);
      // A failed load must not stay cached.
      snapshot.catch(() => {
        if (this.weeks.get(key) === week) this.weeks.delete(key);
      });
      while (this.weeks.size > MAX_WEEKS) this.weeks.delete(this.weeks.keys().next().value!);
    }
    return week;
  }
}
