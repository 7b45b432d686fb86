import type { FieldError } from '@pledgewatch/problems';
import { DomainError } from '@pledgewatch/problems';
import { DEFAULT_PREFERENCES, knownTimezones, WEEKDAYS } from '@pledgewatch/subscriptions';

type FormBody = Record<string, string | string[] | undefined>;

const list = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((v) => v.trim());
const first = (value: string | string[] | undefined): string => list(value)[0] ?? '';

/** What the subscribe form holds, as typed: re-rendered as it was when something is wrong. */
export interface SubscribeFormState {
  email: string;
  countries: string[];
  sectors: string[];
  /** Rows of the "a country in one sector" selects; either side may be empty. */
  pairs: { country: string; sector: string }[];
  workstreams: string[];
  alerts: boolean;
  digest: boolean;
  timezone: string;
  digestDay: string;
  digestHour: string;
  /** A fresh form: the page's script may replace UTC with the browser's zone. */
  fresh: boolean;
}

export const PAIR_ROWS = 3;

export function emptyForm(prefill: { country?: string; sector?: string; workstream?: string } = {}): SubscribeFormState {
  const pairs = prefill.country && prefill.sector ? [{ country: prefill.country, sector: prefill.sector }] : [];
  return {
    email: '',
    countries: prefill.country && !prefill.sector ? [prefill.country] : [],
    sectors: prefill.sector && !prefill.country ? [prefill.sector] : [],
    pairs,
    workstreams: prefill.workstream ? [prefill.workstream] : [],
    alerts: DEFAULT_PREFERENCES.alerts,
    digest: DEFAULT_PREFERENCES.digest,
    timezone: DEFAULT_PREFERENCES.timezone,
    digestDay: DEFAULT_PREFERENCES.digestDay,
    digestHour: String(DEFAULT_PREFERENCES.digestHour),
    fresh: true,
  };
}

/**
 * The posted form (application/x-www-form-urlencoded). Pair rows arrive as two parallel lists,
 * `intersectionCountry` and `intersectionSector`; a row with only one side is that one topic.
 */
export function formFromBody(body: FormBody): SubscribeFormState {
  const pairCountries = list(body.intersectionCountry);
  const pairSectors = list(body.intersectionSector);
  const rows = Math.max(pairCountries.length, pairSectors.length);
  const pairs = Array.from({ length: rows }, (_, i) => ({ country: pairCountries[i] ?? '', sector: pairSectors[i] ?? '' }));
  return {
    email: first(body.email),
    countries: list(body.countries).filter(Boolean),
    sectors: list(body.sectors).filter(Boolean),
    pairs: pairs.filter((p) => p.country || p.sector),
    workstreams: list(body.workstreams).filter(Boolean),
    alerts: first(body.alerts) !== '',
    digest: first(body.digest) !== '',
    timezone: first(body.timezone) || DEFAULT_PREFERENCES.timezone,
    digestDay: first(body.digestDay) || DEFAULT_PREFERENCES.digestDay,
    digestHour: first(body.digestHour) || String(DEFAULT_PREFERENCES.digestHour),
    fresh: false,
  };
}

/** The body POST /v1/subscriptions takes, so the form goes through exactly the same service call. */
export function subscribeRequestOf(form: SubscribeFormState) {
  const whole = form.pairs.filter((p) => p.country && p.sector);
  const hour = /^\d{1,2}$/.test(form.digestHour) ? Number(form.digestHour) : form.digestHour;
  return {
    email: form.email,
    countries: [...form.countries, ...form.pairs.filter((p) => p.country && !p.sector).map((p) => p.country)],
    sectors: [...form.sectors, ...form.pairs.filter((p) => p.sector && !p.country).map((p) => p.sector)],
    intersections: whole.map((p) => ({ country: p.country, sector: p.sector })),
    workstreams: form.workstreams,
    alerts: form.alerts,
    digest: form.digest,
    timezone: form.timezone,
    digestDay: form.digestDay,
    digestHour: hour,
  };
}

export type FormField = 'email' | 'topics' | 'timezone' | 'digestDay' | 'digestHour';

/** Where on the form a field error of the service belongs. */
function fieldOf(error: FieldError | undefined, code: string): FormField | null {
  const field = error?.field ?? '';
  const head = field.split('.')[0];
  if (head === 'email' || code === 'invalid_email') return 'email';
  if (head === 'timezone' || code === 'invalid_timezone') return 'timezone';
  if (head === 'digestDay') return 'digestDay';
  if (head === 'digestHour') return 'digestHour';
  if (['countries', 'sectors', 'intersections', 'workstreams'].includes(head) || ['no_topics', 'unknown_country', 'unknown_sector', 'unknown_workstream'].includes(code)) {
    return 'topics';
  }
  return null;
}

const FIELD_MESSAGES: Partial<Record<FormField, string>> = {
  digestDay: 'Choose a day of the week.',
  digestHour: 'Choose an hour from 00:00 to 23:00.',
};

/** The service's refusal, as messages beside the fields they concern and a summary at the top. */
export function formErrorsOf(error: DomainError): { fields: Partial<Record<FormField, string>>; summary: { message: string; href: string | null }[] } {
  const details = (error.details.errors as FieldError[] | undefined) ?? [];
  const fields: Partial<Record<FormField, string>> = {};
  const summary: { message: string; href: string | null }[] = [];
  const entries = details.length ? details.map((d) => [d, d.code] as const) : [[undefined, error.code] as const];
  for (const [detail, code] of entries) {
    const field = fieldOf(detail, code);
    const message =
      code === 'no_topics'
        ? 'Choose at least one country, sector, country in one sector, or workstream.'
        : (field && FIELD_MESSAGES[field]) ?? detail?.message ?? error.message;
    if (field && fields[field]) continue;
    if (field) fields[field] = message;
    summary.push({ message, href: field ? `#${field === 'topics' ? 'topics' : field}` : null });
  }
  return { fields, summary };
}

let zones: string[] | undefined;
const timezones = () => (zones ??= knownTimezones());

const capitalised = (s: string) => s[0].toUpperCase() + s.slice(1);

/** The subscribe page's form fields, with what the person chose (or the page's link prefilled) kept. */
export function formView(
  form: SubscribeFormState,
  catalog: { countries: { code: string; name: string }[]; sectors: { slug: string; name: string }[]; workstreams: { slug: string; title: string }[] },
) {
  const rows = [...form.pairs.slice(0, PAIR_ROWS)];
  while (rows.length < PAIR_ROWS) rows.push({ country: '', sector: '' });
  return {
    email: form.email,
    countries: catalog.countries.map((c) => ({ value: c.code, label: c.name, checked: form.countries.includes(c.code) })),
    sectors: catalog.sectors.map((s) => ({ value: s.slug, label: s.name, checked: form.sectors.includes(s.slug) })),
    pairs: rows.map((row, index) => ({
      index,
      number: index + 1,
      countries: catalog.countries.map((c) => ({ value: c.code, label: c.name, selected: c.code === row.country })),
      sectors: catalog.sectors.map((s) => ({ value: s.slug, label: s.name, selected: s.slug === row.sector })),
    })),
    workstreams: catalog.workstreams.map((w) => ({ value: w.slug, label: w.title, checked: form.workstreams.includes(w.slug) })),
    alerts: form.alerts,
    digest: form.digest,
    timezone: form.timezone,
    guessTimezone: form.fresh,
    timezones: timezones(),
    days: WEEKDAYS.map((day) => ({ value: day, label: capitalised(day), selected: day === form.digestDay })),
    hours: Array.from({ length: 24 }, (_, hour) => ({
      value: hour,
      label: `${String(hour).padStart(2, '0')}:00`,
      selected: String(hour) === form.digestHour,
    })),
  };
}
