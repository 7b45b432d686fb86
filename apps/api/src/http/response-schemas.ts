import { CountryGroup, DateBasis, DeliveryKind, DeliveryStatus, Health, Instrument, MilestoneStatus, Stage, SubscriberState, Weekday } from '@pledgewatch/database';
import { EVENT_TYPE_NAMES } from '@pledgewatch/events';
import { z } from 'zod';

/**
 * What the API answers, as zod schemas: the OpenAPI document's response components (each `id`
 * becomes `#/components/schemas/<id>`) and, through it, the contract test's response checks.
 * Strict objects: a field added to a view without its schema here fails the contract test.
 */

const values = <T extends Record<string, string>>(e: T) => Object.values(e) as [T[keyof T], ...T[keyof T][]];
const day = z.iso.date();
const instant = z.iso.datetime({ offset: true });
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();

export const ProblemFieldError = z.strictObject({ field: z.string(), code: z.string(), message: z.string() }).meta({ id: 'FieldError' });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().meta({ description: 'Stable machine-readable code, e.g. validation_failed, not_found, version_conflict.' }),
    detail: z.string(),
    instance: z.string(),
    requestId: z.string().meta({ description: 'Equals the X-Request-Id response header and the request log line.' }),
    errors: z.array(ProblemFieldError).optional(),
    currentVersion: z.number().int().optional(),
    retryAfter: z.number().int().optional(),
    errorId: z.string().optional(),
  })
  .catchall(z.unknown())
  .meta({
    id: 'Problem',
    description: 'application/problem+json (RFC 9457) with a stable code',
    examples: [{ type: 'about:blank', title: 'Bad Request', status: 400, code: 'validation_failed', detail: 'The query has invalid parameters.', instance: '/v1/workstreams?health=great', requestId: '5f0c…', errors: [{ field: 'health', code: 'invalid_value', message: '"great" is not a health value' }] }],
  });

export const Country = z.strictObject({ code: z.string().length(2), name: z.string(), group: z.enum(values(CountryGroup)) }).meta({ id: 'Country', examples: [{ code: 'PH', name: 'Philippines', group: 'asean' }] });
export const Sector = z.strictObject({ slug: z.string(), name: z.string() }).meta({ id: 'Sector', examples: [{ slug: 'maritime-security', name: 'Maritime security' }] });
export const Summit = z
  .strictObject({
    slug: z.string(),
    name: z.string(),
    startDate: nullable(day),
    endDate: nullable(day),
    location: nullable(z.string()),
    sources: z.array(z.strictObject({ title: z.string(), url: z.string(), publisher: nullable(z.string()), date: nullable(day) })),
  })
  .meta({ id: 'Summit' });

const Source = z.strictObject({
  quote: z.string(),
  kind: z.enum(['summit', 'context']).optional().meta({ description: "Whose words: the summit's own (summit) or later reporting (context)" }),
  title: z.string(),
  url: z.string(),
  publisher: z.string().optional(),
  date: day.optional(),
});
const Precision = z.enum(['day', 'month', 'quarter', 'year']).meta({ description: 'How much of the date is known; a period is stored as its last day' });

export const Workstream = z
  .strictObject({
    id: z.uuid(),
    slug: z.string(),
    title: z.string(),
    summary: z.string(),
    summit: z.string(),
    countries: z.array(z.string()),
    sectors: z.array(z.string()),
    instrument: z.enum(values(Instrument)),
    stage: z.enum(values(Stage)),
    health: z.enum(values(Health)),
    healthReason: z.string(),
    healthSince: nullable(instant),
    lastProgressAt: nullable(instant),
    lastReviewedAt: nullable(instant).meta({ description: "The editors' last look at the sources: an explicit review or a change" }),
    lastReviewedBy: nullable(z.string()),
    lastReviewNote: nullable(z.string()),
    reviewDue: z.boolean().meta({ description: 'Not reviewed within HEALTH_REVIEW_DAYS (or never)' }),
    watchTerms: z.array(z.string()),
    lastCheckedAt: nullable(instant),
    source: nullable(Source),
    version: z.number().int(),
    archived: z.boolean(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'Workstream',
    examples: [
      {
        id: '0b8f2c3e-5a51-4c9e-9a52-3f8f7d1e2a10',
        slug: 'official-security-assistance-philippines',
        title: 'Official Security Assistance: coastal radars for the Philippine Navy',
        summary: 'Japan provides coastal radar systems to the Philippine Navy under OSA.',
        summit: 'asean-japan-commemorative-summit-2023',
        countries: ['JP', 'PH'],
        sectors: ['maritime-security'],
        instrument: 'osa',
        stage: 'implementation',
        health: 'on_track',
        healthReason: 'every listed milestone is done; no next milestone scheduled',
        healthSince: '2024-02-01T00:00:00.000Z',
        lastProgressAt: '2024-02-01T00:00:00.000Z',
        lastReviewedAt: '2026-05-30T00:00:00.000Z',
        lastReviewedBy: 'seed',
        lastReviewNote: 'Checked Manila Bulletin and MOFA Japan to 30 May 2026.',
        reviewDue: true,
        watchTerms: ['coastal radar', 'OSA'],
        lastCheckedAt: '2026-12-01T11:00:00.000Z',
        source: null,
        version: 3,
        archived: false,
        createdAt: '2026-11-20T08:00:00.000Z',
        updatedAt: '2026-11-28T07:00:00.000Z',
      },
    ],
  });

export const Milestone = z
  .strictObject({
    id: z.uuid(),
    workstreamId: z.uuid(),
    title: z.string(),
    plannedStart: nullable(day),
    dueDate: nullable(day),
    datePrecision: Precision,
    actualStart: nullable(day),
    actualStartPrecision: Precision,
    completedOn: nullable(day),
    completedOnPrecision: Precision,
    status: z.enum(values(MilestoneStatus)),
    dateBasis: z.enum(values(DateBasis)),
    evidenceUrl: nullable(z.string()),
    note: nullable(z.string()),
    position: z.number().int(),
    version: z.number().int(),
  })
  .meta({ id: 'Milestone' });

export const Event = z
  .strictObject({
    id: z.uuid(),
    type: z.enum(EVENT_TYPE_NAMES),
    workstreamId: z.uuid(),
    milestoneId: nullable(z.uuid()),
    from: nullable(z.string()),
    to: nullable(z.string()),
    reason: z.string(),
    actor: z.string(),
    occurredAt: instant,
    notify: z.boolean(),
    note: nullable(z.string()).meta({ description: "The editor's change note" }),
    evidenceUrl: nullable(z.string()).meta({ description: 'The evidence the change rests on' }),
  })
  .meta({ id: 'Event' });

export const Review = z
  .strictObject({
    workstream: z.string(),
    reviewedAt: instant,
    reviewer: z.string(),
    note: z.string(),
    evidence: z.array(z.strictObject({ url: z.string(), title: z.string().optional(), publisher: z.string().optional(), publishedOn: day.optional() })),
    health: z.enum(values(Health)),
    healthReason: z.string(),
  })
  .meta({ id: 'Review', description: 'A review: the health it left the workstream with' });

export const ReviewDueList = z
  .strictObject({
    reviewDays: z.number().int(),
    items: z.array(
      z.strictObject({
        id: z.uuid(),
        slug: z.string(),
        title: z.string(),
        health: z.enum(values(Health)),
        healthReason: z.string(),
        lastReviewedAt: nullable(instant),
        lastReviewedBy: nullable(z.string()),
        lastReviewNote: nullable(z.string()),
      }),
    ),
  })
  .meta({ id: 'ReviewDueList', description: 'Open workstreams not reviewed within reviewDays, the longest unreviewed first' });

export const FeedEvent = Event.extend({ workstream: z.strictObject({ slug: z.string(), title: z.string() }) }).meta({ id: 'FeedEvent' });

/** The public views carry the workstream's own feeds (admin write answers do not). */
const FeedLinks = z
  .strictObject({ atom: z.url(), calendar: z.url(), webcal: z.string().startsWith('webcal:') })
  .meta({ id: 'FeedLinks', description: 'The Atom feed of its events and the iCalendar of its milestones' });
export const PublicWorkstream = Workstream.extend({ feeds: FeedLinks }).meta({ id: 'PublicWorkstream' });

export const WorkstreamDetail = PublicWorkstream.extend({
  milestones: z.array(Milestone),
  history: z.array(Event),
  asOf: day.optional(),
  healthSource: z.enum(['history', 'computed']).optional(),
}).meta({ id: 'WorkstreamDetail', description: 'A workstream with its milestones (by position) and history (its events, newest first); asOf and healthSource with ?asOf=' });

export const EditedWorkstream = Workstream.extend({ milestones: z.array(Milestone) }).meta({ id: 'EditedWorkstream', description: 'An editor write’s answer: the workstream with its milestones; ETag is its new version' });

const list = <T extends z.ZodType>(id: string, item: T) => z.strictObject({ items: z.array(item) }).meta({ id });
const page = <T extends z.ZodType>(id: string, item: T) =>
  z.strictObject({ items: z.array(item), nextCursor: z.string().nullable().meta({ description: 'Pass back as cursor for the next page; null on the last.' }) }).meta({ id });

export const CountryList = list('CountryList', Country);
export const SectorList = list('SectorList', Sector);
export const SummitList = list('SummitList', Summit);
export const WorkstreamPage = page('WorkstreamPage', PublicWorkstream);
export const EventPage = page('EventPage', FeedEvent);

export const ImportResult = z
  .strictObject({
    created: z.array(z.strictObject({ index: z.number().int(), id: z.uuid(), slug: z.string() })),
    workstreams: z.number().int(),
    milestones: z.number().int(),
    events: z.number().int(),
  })
  .meta({ id: 'ImportResult' });

export const ApiKey = z
  .strictObject({ id: z.uuid(), name: z.string(), role: z.enum(['admin', 'editor']), prefix: z.string(), createdAt: instant, lastUsedAt: nullable(instant), revokedAt: nullable(instant) })
  .meta({ id: 'ApiKey' });
export const ApiKeyCreated = ApiKey.extend({ key: z.string().meta({ description: 'The key itself: shown once, only here.' }) }).meta({ id: 'ApiKeyCreated' });
export const ApiKeyList = list('ApiKeyList', ApiKey);

const Intersection = z.strictObject({ country: z.string(), sector: z.string() });
const Topics = { countries: z.array(z.string()), sectors: z.array(z.string()), intersections: z.array(Intersection), workstreams: z.array(z.string()) };

export const AdminSubscriber = z
  .strictObject({
    id: z.uuid(),
    email: z.string(),
    state: z.enum(values(SubscriberState)),
    alerts: z.boolean(),
    digest: z.boolean(),
    timezone: z.string(),
    digestDay: z.enum(values(Weekday)),
    digestHour: z.number().int(),
    topics: z.strictObject(Topics),
    confirmedAt: nullable(instant),
    unsubscribedAt: nullable(instant),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'AdminSubscriber' });
export const AdminSubscriberPage = page('AdminSubscriberPage', AdminSubscriber);

export const Delivery = z
  .strictObject({
    id: z.uuid(),
    kind: z.enum(values(DeliveryKind)),
    status: z.enum(values(DeliveryStatus)),
    attempts: z.number().int().describe('Failed sends that count toward the six tries, plus the one that went through.'),
    throttledCount: z.number().int().describe('Throttling answers (421, 450, 451, 454, …) met: each paused sending and re-queued the message without using an attempt.'),
    nextSendAt: nullable(instant).describe(
      'Queued deliveries: the earliest the next queued message can go — now, or later under MAIL_RATE_PER_SECOND or a throttling pause. Null for the others.',
    ),
    lastError: nullable(z.string()),
    messageId: nullable(z.string()),
    subscriber: nullable(z.strictObject({ id: z.uuid(), email: z.string() })).meta({ description: 'The recipient of every kind but webhook; null for a webhook delivery' }),
    webhookEndpoint: nullable(z.strictObject({ id: z.uuid(), url: z.string() })).meta({ description: 'The endpoint of a webhook delivery; null for the other kinds' }),
    eventId: nullable(z.uuid()),
    digestWeek: nullable(day),
    createdAt: instant,
    updatedAt: instant,
    sentAt: nullable(instant),
  })
  .meta({ id: 'Delivery' });
export const DeliveryPage = page('DeliveryPage', Delivery);

export const WebhookEndpoint = z
  .strictObject({
    id: z.uuid(),
    url: z.string(),
    description: z.string(),
    topics: z.strictObject(Topics),
    eventTypes: z.array(z.enum(EVENT_TYPE_NAMES)).meta({ description: 'Only these event types; empty: every type' }),
    enabled: z.boolean(),
    disabledReason: nullable(z.string()).meta({ description: 'Why it no longer receives: an admin’s reason, or the failure that lasted the whole retry span' }),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'WebhookEndpoint' });
export const WebhookEndpointList = z.strictObject({ items: z.array(WebhookEndpoint) }).meta({ id: 'WebhookEndpointList' });
export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().meta({ description: 'The Standard Webhooks signing secret, `whsec_<base64>`: shown this once' }),
}).meta({ id: 'WebhookEndpointWithSecret' });
export const WebhookAttempt = z
  .strictObject({
    attempt: z.number().int(),
    at: instant,
    statusCode: nullable(z.number().int()).meta({ description: 'null when no answer came (timeout, connection error, refused address)' }),
    durationMs: z.number().int(),
    error: nullable(z.string()),
    responseBody: nullable(z.string()).meta({ description: 'At most 1 KB of the answer' }),
    nextAttemptAt: nullable(instant),
  })
  .meta({ id: 'WebhookAttempt' });
export const WebhookDeliveryLog = z
  .strictObject({
    id: z.uuid(),
    eventId: nullable(z.uuid()),
    status: z.enum(values(DeliveryStatus)),
    attempts: z.number().int(),
    lastError: nullable(z.string()),
    createdAt: instant,
    sentAt: nullable(instant),
    log: z.array(WebhookAttempt),
  })
  .meta({ id: 'WebhookDeliveryLog' });
export const WebhookEndpointDetail = WebhookEndpoint.extend({
  deliveries: z.array(WebhookDeliveryLog).meta({ description: 'The latest 50 deliveries, newest first, each with its attempts' }),
}).meta({ id: 'WebhookEndpointDetail' });

export const StatusChange = z
  .strictObject({ type: z.string(), workstreamSlug: z.string(), milestoneId: nullable(z.string()), from: nullable(z.string()), to: nullable(z.string()), reason: z.string() })
  .meta({ id: 'StatusChange' });
export const CheckResult = z
  .strictObject({
    checked: z.number().int(),
    events: z.number().int(),
    milestonesOverdue: z.number().int(),
    healthChanged: z.number().int(),
    asOf: instant,
    skipped: z.boolean().optional(),
    changes: z.array(StatusChange).optional(),
    dryRun: z.boolean(),
  })
  .meta({ id: 'CheckResult' });

export const CheckRequest = z
  .strictObject({
    id: z.string().meta({ description: 'The check’s slot id, e.g. admin-2026-12-01T125503Z' }),
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    trigger: z.string(),
    asOf: instant,
    startedAt: nullable(instant),
    finishedAt: nullable(instant),
    checked: nullable(z.number().int()),
    events: nullable(z.number().int()),
    milestonesOverdue: nullable(z.number().int()),
    healthChanged: nullable(z.number().int()),
    error: z.string().optional(),
  })
  .meta({ id: 'CheckRequest', description: 'A queued status check: its state, and its counts once it ran' });

export const DigestPreview = z.strictObject({ subject: z.string(), html: z.string(), text: z.string() }).meta({ id: 'DigestPreview' });

export const Subscription = z
  .strictObject({
    email: z.string(),
    state: z.enum(values(SubscriberState)),
    ...Topics,
    alerts: z.boolean(),
    digest: z.boolean(),
    skipEmptyDigest: z.boolean(),
    timezone: z.string(),
    digestDay: z.enum(values(Weekday)),
    digestHour: z.number().int(),
  })
  .meta({ id: 'Subscription' });
export const SubscribeAccepted = z.strictObject({ status: z.literal('accepted'), message: z.string() }).meta({ id: 'SubscribeAccepted' });
export const SubscriptionAnswer = z
  .strictObject({
    status: z.enum(['confirmed', 'already_confirmed', 'changes_applied', 'unsubscribed', 'saved']).optional(),
    subscription: Subscription,
    manageUrl: z.string().optional(),
  })
  .meta({ id: 'SubscriptionAnswer', description: 'JSON answer of the email-link endpoints (Accept: application/json)' });

const IndicatorReport = z.record(z.string(), z.object({ status: z.string() }).catchall(z.unknown()));
export const HealthReport = z
  .strictObject({ status: z.string(), info: IndicatorReport.optional(), error: IndicatorReport.optional(), details: IndicatorReport })
  .meta({ id: 'HealthReport', examples: [{ status: 'ok', info: { postgres: { status: 'up' }, redis: { status: 'up' } }, error: {}, details: { postgres: { status: 'up' }, redis: { status: 'up' } } }] });
export const Liveness = z.strictObject({ status: z.literal('ok') }).meta({ id: 'Liveness' });
