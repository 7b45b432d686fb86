import { z } from 'zod';
import { DateBasis, Instrument, MilestoneStatus, Stage } from '@pledgewatch/database';
import { calendarDate, calendarDayString, isUuid, multiLine, safeString, singleLine } from '@pledgewatch/problems';

/**
 * Request bodies of the admin API. Every object is strict (an unknown field is a 400 naming it),
 * strings are trimmed and bounded and follow the input rules (`@pledgewatch/problems`
 * input-rules.ts: valid Unicode, no NUL; one-line fields have no control characters, summaries,
 * quotes and notes allow tab and line feed), dates are real calendar days within DATE_RANGE,
 * URLs are http(s).
 */


/** Optional multi-line prose: an empty string clears it, like null. */
const prose = (max: number) =>
  safeString('multi-line')
    .trim()
    .max(max)
    .transform((s) => s || null);

/** `YYYY-MM-DD`, a day that exists (no 2025-02-29) within DATE_RANGE, as midnight UTC. */
const day = calendarDate();

/** Stored as the WHATWG URL serialisation (`new URL(x).href`): one spelling per address, host lower-cased, escapes normalised. */
const httpUrl = safeString()
  .pipe(z.url({ protocol: /^https?$/, hostname: z.regexes.hostname, error: 'must be an http(s) URL' }).max(2048))
  .transform((value) => new URL(value).href)
  .pipe(z.string().max(2048, 'must be at most 2048 characters once normalised'));

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const slug = safeString()
  .trim()
  .max(100)
  .regex(SLUG, 'must be kebab-case: lower-case letters, digits and single dashes')
  .refine((s) => !isUuid(s), 'must not look like an id');

const countryCode = safeString()
  .trim()
  .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')
  .transform((s) => s.toUpperCase());

const unique = <T>(values: T[]) => [...new Set(values)];

const countries = z.array(countryCode).min(1).max(30).transform(unique);
const sectors = z.array(slug).min(1).max(30).transform(unique);

const status = z.enum(Object.values(MilestoneStatus) as [MilestoneStatus, ...MilestoneStatus[]]);
const stage = z.enum(Object.values(Stage) as [Stage, ...Stage[]]);
const instrument = z.enum(Object.values(Instrument) as [Instrument, ...Instrument[]]);
/** Omitted on a new milestone, the due date is an assumption: a passed one makes the workstream at risk at most. */
const dateBasis = z
  .enum(Object.values(DateBasis) as [DateBasis, ...DateBasis[]])
  .describe(
    'How the due date is known: "sourced" (a dated fact, cite it in evidenceUrl or note), "planned" (a date its owner announced) or "assumed" (the editors\' estimate). A new milestone sent without one is "assumed": when its date passes, its workstream is at_risk at most, never off_track.',
  );

const precision = z
  .enum(['day', 'month', 'quarter', 'year'])
  .describe('How much of the date is known; a month, quarter or year is sent as its last day (2028-03-31 for "March 2028"). Default: day.');

/** A citation may lack a URL or a date (a printed article, an undated statement); null says "none". */
export const SOURCE_SCHEMA = z.strictObject({
  quote: multiLine(5000),
  /** `summit`: the summit's own words; `context`: later reporting. */
  kind: z.enum(['summit', 'context']).optional(),
  title: singleLine(500),
  url: httpUrl.optional(),
  publisher: singleLine(200).optional(),
  date: calendarDayString().nullish(),
});
export type SourceInput = z.output<typeof SOURCE_SCHEMA>;

const milestoneFields = {
  title: singleLine(300),
  dueDate: day,
  plannedStart: day.nullish(),
  actualStart: day.nullish(),
  completedOn: day.nullish(),
  datePrecision: precision.optional(),
  actualStartPrecision: precision.optional(),
  completedOnPrecision: precision.optional(),
  /** `overdue` parses, so that the answer can be the precise 422 `status_reserved`. */
  status: status.optional(),
  dateBasis: dateBasis.optional(),
  evidenceUrl: httpUrl.nullish(),
  note: prose(5000).nullish(),
};

/** A milestone inside a workstream creation or import. */
export const NEW_MILESTONE_SCHEMA = z.strictObject(milestoneFields);
export type NewMilestoneInput = z.output<typeof NEW_MILESTONE_SCHEMA>;

/** `POST /v1/admin/workstreams/{id}/milestones`. */
export const ADD_MILESTONE_SCHEMA = z.strictObject({ ...milestoneFields, notify: z.boolean().optional() });
export type AddMilestoneInput = z.output<typeof ADD_MILESTONE_SCHEMA>;

/** `PATCH /v1/admin/milestones/{id}`: every field optional; null clears the optional ones. */
export const PATCH_MILESTONE_SCHEMA = z.strictObject({
  title: singleLine(300).optional(),
  status: status.optional(),
  dueDate: day.optional(),
  plannedStart: day.nullish(),
  actualStart: day.nullish(),
  completedOn: day.nullish(),
  datePrecision: precision.optional(),
  actualStartPrecision: precision.optional(),
  completedOnPrecision: precision.optional(),
  dateBasis: dateBasis.optional(),
  evidenceUrl: httpUrl.nullish(),
  note: prose(5000).nullish(),
  notify: z.boolean().optional(),
});
export type PatchMilestoneInput = z.output<typeof PATCH_MILESTONE_SCHEMA>;

const workstreamFields = {
  slug: slug.optional(),
  title: singleLine(300),
  summary: multiLine(10_000),
  summit: slug,
  countries,
  sectors,
  instrument,
  stage,
  source: SOURCE_SCHEMA.nullish(),
  watchTerms: z.array(singleLine(100)).max(50).transform(unique).optional(),
  milestones: z.array(NEW_MILESTONE_SCHEMA).max(200).optional(),
};

/** One workstream of an import. */
export const NEW_WORKSTREAM_SCHEMA = z.strictObject(workstreamFields);
export type NewWorkstreamInput = z.output<typeof NEW_WORKSTREAM_SCHEMA>;

/** `POST /v1/admin/workstreams`. */
export const CREATE_WORKSTREAM_SCHEMA = z.strictObject({ ...workstreamFields, notify: z.boolean().optional() });
export type CreateWorkstreamInput = z.output<typeof CREATE_WORKSTREAM_SCHEMA>;

/** `PATCH /v1/admin/workstreams/{id}`. The slug and summit are identity, not editable. */
export const PATCH_WORKSTREAM_SCHEMA = z.strictObject({
  title: singleLine(300).optional(),
  summary: multiLine(10_000).optional(),
  countries: countries.optional(),
  sectors: sectors.optional(),
  instrument: instrument.optional(),
  stage: stage.optional(),
  source: SOURCE_SCHEMA.nullish(),
  watchTerms: z.array(singleLine(100)).max(50).transform(unique).optional(),
  notify: z.boolean().optional(),
});
export type PatchWorkstreamInput = z.output<typeof PATCH_WORKSTREAM_SCHEMA>;

export const IMPORT_MAX_WORKSTREAMS = 500;

/** `POST /v1/admin/import`: all or nothing. */
export const IMPORT_SCHEMA = z.strictObject({
  workstreams: z.array(NEW_WORKSTREAM_SCHEMA).min(1).max(IMPORT_MAX_WORKSTREAMS),
  notify: z.boolean().optional(),
});
export type ImportInput = z.output<typeof IMPORT_SCHEMA>;

/** `POST /v1/admin/workstreams/{id}/reviews`: an editor checked the workstream against its sources. */
export const REVIEW_SCHEMA = z.strictObject({
  note: safeString('multi-line').trim().min(1, 'must say what was checked').max(2000),
  evidence: z
    .array(
      z.strictObject({
        url: httpUrl,
        title: singleLine(500).optional(),
        publisher: singleLine(200).optional(),
        publishedOn: calendarDayString().optional(),
      }),
    )
    .max(20)
    .optional(),
});
export type ReviewInput = z.output<typeof REVIEW_SCHEMA>;
