import { z } from 'zod';
import type { Weekday } from '@pledgewatch/database';
import { FieldError, parse, safeString, textProblem, UnprocessableError, ValidationError } from '@pledgewatch/problems';

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const satisfies readonly Weekday[];

/** Topics as a person names them: country codes, sector slugs, country × sector pairs, workstream slugs. */
export interface TopicRefs {
  countries: string[];
  sectors: string[];
  intersections: { country: string; sector: string }[];
  workstreams: string[];
}

export interface Preferences {
  alerts: boolean;
  digest: boolean;
  skipEmptyDigest: boolean;
  timezone: string;
  digestDay: Weekday;
  digestHour: number;
}

export const DEFAULT_PREFERENCES: Preferences = {
  alerts: true,
  digest: true,
  skipEmptyDigest: false,
  timezone: 'UTC',
  digestDay: 'monday',
  digestHour: 8,
};

export interface SubscribeRequest {
  email: string;
  topics: TopicRefs;
  preferences: Preferences;
}

/** A change from the manage page or its JSON twin; absent fields stay as they are. */
export interface PreferencesUpdate {
  leave: boolean;
  topics: Partial<TopicRefs>;
  preferences: Partial<Preferences>;
}

// Line breaks and every other control character: the address ends up in a header (To:).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

function invalidEmail(message: string): ValidationError {
  return new ValidationError([{ field: 'email', code: 'invalid_email', message }], 'The email address is not valid.');
}

/** Trimmed, lower-cased, at most 254 characters, no control characters; else a 400. */
export function normaliseEmail(raw: string): string {
  if (CONTROL.test(raw)) throw invalidEmail('An email address must not contain line breaks or other control characters.');
  const email = raw.trim().toLowerCase();
  if (email.length > 254) throw invalidEmail('An email address has at most 254 characters.');
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (at < 1 || local.length > 64 || !LOCAL_PART.test(local) || domain.length > 253 || !DOMAIN.test(domain)) {
    throw invalidEmail('Give an email address such as name@example.org (ASCII; for an international domain, its xn-- form).');
  }
  return email;
}

/** The canonical IANA name of a time zone ("asia/tokyo" → "Asia/Tokyo"), or null when unknown. */
export function canonicalTimezone(raw: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(raw)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function normaliseTimezone(raw: string): string {
  const zone = canonicalTimezone(raw.trim());
  if (!zone) {
    throw new UnprocessableError('invalid_timezone', `"${raw}" is not an IANA time zone such as Asia/Tokyo or Europe/Paris.`, [
      { field: 'timezone', code: 'invalid_timezone', message: 'Use an IANA time zone name, e.g. Asia/Tokyo.' },
    ]);
  }
  return zone;
}

/** Every IANA zone this runtime knows, for the manage page's list. */
export function knownTimezones(): string[] {
  const zones = new Set(Intl.supportedValuesOf('timeZone'));
  zones.add('UTC');
  return [...zones].sort();
}

const uniq = <T>(values: T[], key: (value: T) => string = String) => [
  ...new Map(values.map((value) => [key(value), value])).values(),
];

export function normaliseTopics(topics: Partial<TopicRefs>): Partial<TopicRefs> {
  const out: Partial<TopicRefs> = {};
  if (topics.countries) out.countries = uniq(topics.countries.map((c) => c.trim().toUpperCase()));
  if (topics.sectors) out.sectors = uniq(topics.sectors.map((s) => s.trim().toLowerCase()));
  if (topics.workstreams) out.workstreams = uniq(topics.workstreams.map((w) => w.trim()));
  if (topics.intersections) {
    out.intersections = uniq(
      topics.intersections.map(({ country, sector }) => ({ country: country.trim().toUpperCase(), sector: sector.trim().toLowerCase() })),
      (pair) => `${pair.country}|${pair.sector}`,
    );
  }
  return out;
}

export function topicCount(topics: TopicRefs): number {
  return topics.countries.length + topics.sectors.length + topics.intersections.length + topics.workstreams.length;
}

export function requireTopics(topics: TopicRefs): void {
  if (topicCount(topics) === 0) {
    throw new UnprocessableError('no_topics', 'Follow at least one country, sector, country × sector pair or workstream.');
  }
}

const name = safeString().max(100);
const weekday = z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(WEEKDAYS));
const hour = z.number().int().min(0).max(23);

/** The topic fields of a subscribe body; webhook endpoints take the same (libs/webhooks). */
export const TOPIC_FIELDS = {
  countries: z.array(name).max(50).optional(),
  sectors: z.array(name).max(50).optional(),
  intersections: z.array(z.object({ country: name, sector: name }).strict()).max(50).optional(),
  workstreams: z.array(safeString().max(200)).max(100).optional(),
};
const PREFERENCE_FIELDS = {
  alerts: z.boolean().optional(),
  digest: z.boolean().optional(),
  skipEmptyDigest: z.boolean().optional(),
  timezone: safeString().max(100).optional(),
  digestDay: weekday.optional(),
  digestHour: hour.optional(),
};

export const SUBSCRIBE_BODY = z.object({ email: safeString().max(1000), ...TOPIC_FIELDS, ...PREFERENCE_FIELDS }).strict();
export const UPDATE_BODY = z.object({ action: z.enum(['save', 'leave']).optional(), ...TOPIC_FIELDS, ...PREFERENCE_FIELDS }).strict();

function preferencesOf(body: Partial<Record<keyof Preferences, unknown>>): Partial<Preferences> {
  const out: Partial<Preferences> = {};
  for (const key of Object.keys(DEFAULT_PREFERENCES) as (keyof Preferences)[]) {
    if (body[key] !== undefined) (out as Record<string, unknown>)[key] = body[key];
  }
  if (out.timezone !== undefined) out.timezone = normaliseTimezone(out.timezone);
  return out;
}

/** POST /v1/subscriptions: 400 for a malformed body or address, 422 for no topics or a bad zone. */
export function parseSubscribeRequest(body: unknown): SubscribeRequest {
  const input = parse(SUBSCRIBE_BODY, body);
  const email = normaliseEmail(input.email);
  const topics = requiredTopics(input);
  return { email, topics, preferences: { ...DEFAULT_PREFERENCES, ...preferencesOf(input) } };
}

/** The topic fields of a body, normalised, absent ones empty; a 422 when there is none at all. */
export function requiredTopics(input: Partial<TopicRefs>): TopicRefs {
  const given = normaliseTopics(input);
  const topics: TopicRefs = {
    countries: given.countries ?? [],
    sectors: given.sectors ?? [],
    intersections: given.intersections ?? [],
    workstreams: given.workstreams ?? [],
  };
  requireTopics(topics);
  return topics;
}

/** POST /v1/subscriptions/manage as JSON: a partial update, or `{"action": "leave"}`. */
export function parseUpdateJson(body: unknown): PreferencesUpdate {
  const input = parse(UPDATE_BODY, body ?? {});
  return { leave: input.action === 'leave', topics: normaliseTopics(input), preferences: preferencesOf(input) };
}

type FormBody = Record<string, string | string[] | undefined>;

/** Every field of the manage form is one line: the same input rule as the JSON body's strings. */
function assertOneLineFields(form: FormBody): void {
  const errors: FieldError[] = [];
  for (const [field, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      const problem = typeof item === 'string' ? textProblem(item, 'single-line') : null;
      if (problem) errors.push({ field, code: problem.code, message: problem.message });
    }
  }
  if (errors.length) throw new ValidationError(errors);
}

const list = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((v) => v.trim()).filter(Boolean);
const single = (value: string | string[] | undefined): string | undefined => list(value)[0];

/**
 * POST /v1/subscriptions/manage from the page's form: the whole form is the new state (an unticked
 * box is simply absent). Intersections arrive as `COUNTRY:sector` values plus one optional new pair.
 */
export function parseUpdateForm(form: FormBody): PreferencesUpdate {
  assertOneLineFields(form);
  if (single(form.action) === 'leave') return { leave: true, topics: {}, preferences: {} };
  const intersections = list(form.intersections).map((pair) => {
    const [country = '', sector = ''] = pair.split(':');
    return { country, sector };
  });
  const newCountry = single(form.newIntersectionCountry);
  const newSector = single(form.newIntersectionSector);
  if (newCountry && newSector) intersections.push({ country: newCountry, sector: newSector });
  const workstreams = [...list(form.workstreams), ...list(form.newWorkstream)];

  const digestHour = Number(single(form.digestHour));
  const digestDay = weekday.safeParse(single(form.digestDay));
  const errors = [];
  if (!Number.isInteger(digestHour) || digestHour < 0 || digestHour > 23) {
    errors.push({ field: 'digestHour', code: 'invalid_hour', message: 'Choose an hour from 0 to 23.' });
  }
  if (!digestDay.success) errors.push({ field: 'digestDay', code: 'invalid_day', message: 'Choose a day of the week.' });
  if (errors.length) throw new ValidationError(errors);

  return {
    leave: false,
    topics: normaliseTopics({ countries: list(form.countries), sectors: list(form.sectors), intersections, workstreams }),
    preferences: {
      alerts: single(form.alerts) !== undefined,
      digest: single(form.digest) !== undefined,
      skipEmptyDigest: single(form.skipEmptyDigest) !== undefined,
      timezone: normaliseTimezone(single(form.timezone) ?? 'UTC'),
      digestDay: digestDay.data,
      digestHour,
    },
  };
}
