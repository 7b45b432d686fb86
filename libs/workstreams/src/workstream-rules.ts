import type { HealthWindows } from '@pledgewatch/config';
import type { Health } from '@pledgewatch/database';
import type { NewEvent } from '@pledgewatch/events';
import { evaluateHealth, progressAsOf, HealthMilestone, HealthWorkstream } from '@pledgewatch/status';

const SLUG_MAX = 80;

/**
 * A kebab-case slug from a title: accents folded, everything else that is not a letter or digit
 * becomes a dash, cut at a word boundary. Titles with nothing Latin in them give "workstream".
 */
export function slugify(title: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > SLUG_MAX) break;
    slug = next;
  }
  return slug || words[0]?.slice(0, SLUG_MAX) || 'workstream';
}

/** `base`, else `base-2`, `base-3` … — the first one not in `taken`. */
export function firstFreeSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export interface HealthUpdate {
  /** Columns to write on the workstream; empty when neither health, its ground nor the progress moved. */
  data: { health?: Health; healthReason?: string; healthKey?: string; healthSince?: Date; lastProgressAt?: Date | null };
  /** `workstream.health_changed` when the health value itself changed. */
  event: Omit<NewEvent, 'actor' | 'notify'> | null;
}

/**
 * Recomputes a workstream's health after an edit, as of `now`, with the one health function the
 * scheduled check also uses; a new value restarts healthSince and owes one event. An editorial
 * write is itself a look at the workstream, so it counts as a review made `now`. The last progress
 * is derived again from the milestones, so undoing a start undoes it.
 */
export function recomputeHealth(
  workstream: Omit<HealthWorkstream, 'reviews'> & { id: string; health: Health; healthReason: string; healthKey: string | null; lastProgressAt: Date | null },
  milestones: HealthMilestone[],
  now: Date,
  windows: HealthWindows,
): HealthUpdate {
  const verdict = evaluateHealth({ ...workstream, reviews: [now] }, milestones, now, windows);
  const progress = progressAsOf(milestones.filter((m) => m.status !== 'cancelled'), now)?.on ?? null;
  const moved: HealthUpdate['data'] = {};
  if ((progress?.getTime() ?? null) !== (workstream.lastProgressAt?.getTime() ?? null)) moved.lastProgressAt = progress;
  if (verdict.key !== workstream.healthKey) moved.healthKey = verdict.key;
  if (verdict.health === workstream.health) {
    return { data: verdict.reason === workstream.healthReason ? moved : { ...moved, healthReason: verdict.reason }, event: null };
  }
  return {
    data: { ...moved, health: verdict.health, healthReason: verdict.reason, healthKey: verdict.key, healthSince: now },
    event: {
      type: 'workstream.health_changed',
      workstreamId: workstream.id,
      from: workstream.health,
      to: verdict.health,
      reason: verdict.reason,
    },
  };
}
