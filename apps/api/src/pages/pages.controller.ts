import { Controller, Get, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CatalogService } from '@pledgewatch/catalog';
import { EVENT_TYPE_NAMES, EventsQuery, FeedEventRow } from '@pledgewatch/events';
import { CheckRunsService, HealthHistoryService } from '@pledgewatch/status';
import { SubscriptionsService } from '@pledgewatch/subscriptions';
import { toEventView, WorkstreamsOverviewQuery, WorkstreamsQuery } from '@pledgewatch/workstreams';
import { calendarDayParam, countryList, cursor, dateOrInstant, enumList, slugList } from '../public/query-params';
import { PageCache } from './page-cache';
import { PageErrorFilter } from './page-error.filter';
import { hasEmptyParameters, pageQuery, queryString, refuseUnknownParameters } from './page-query';
import { PageRenderer } from './page-renderer';
import { sendPage } from './page-response';
import {
  addDays,
  dateView,
  EVENT_TYPE_LABELS,
  eventView,
  healthBadge,
  healthBar,
  healthLabel,
  healthStrip,
  instantView,
  instrumentLabel,
  milestoneView,
  stageLabel,
  todayUtc,
} from './presenters';

const CHANGES_PAGE_SIZE = 25;

/** The filters of GET /v1/events, with its own parsers (comma lists included). */
const parseChangesQuery = pageQuery({
  since: dateOrInstant().optional(),
  country: countryList().optional(),
  sector: slugList('a sector slug').optional(),
  type: enumList(EVENT_TYPE_NAMES, 'a kind of change').optional(),
  workstream: slugList('a workstream slug').optional(),
  cursor: cursor().optional(),
});

const AS_OF = calendarDayParam();

type Names = { countries: Map<string, string>; sectors: Map<string, string> };

/**
 * The public pages (docs/pages.md): server-rendered HTML that works without script, read
 * through the same queries as the JSON API. Rendered pages are reused for a few seconds
 * (PageCache) and carry an ETag and `Cache-Control: public, max-age=60`.
 */
/** HTML for people, not part of the JSON API's description. */
@ApiExcludeController()
@Controller()
@UseFilters(PageErrorFilter)
export class PagesController {
  constructor(
    private readonly renderer: PageRenderer,
    private readonly cache: PageCache,
    private readonly catalog: CatalogService,
    private readonly workstreams: WorkstreamsQuery,
    private readonly overview: WorkstreamsOverviewQuery,
    private readonly events: EventsQuery,
    private readonly history: HealthHistoryService,
    private readonly checks: CheckRunsService,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  /** `@Query()`: the page checks its parameters itself (a shared link's tracking parameters pass). */
  @Get()
  async home(@Query() query: unknown, @Req() request: Request, @Res() response: Response) {
    refuseUnknownParameters(query, []);
    const page = await this.cache.get('/', async () => {
      const today = todayUtc();
      const horizon = addDays(today, 30);
      const [summits, counts, countries, sectors, latest, upcoming, run] = await Promise.all([
        this.catalog.summits(),
        this.overview.healthOverview(),
        this.catalog.countries(),
        this.catalog.sectors(),
        this.events.feed({ limit: 8 }),
        this.overview.upcomingMilestones({ from: new Date(`${today}T00:00:00Z`), to: horizon, limit: 20 }),
        this.checks.latest(),
      ]);
      const summit = summits[0];
      // Every bar segment and legend entry opens the list of that health.
      const bar = healthBar(counts.all, (h) => `/workstreams?health=${h}`);
      return this.renderer.render('home', '/', {
        title: summit ? `${summit.name}: the commitments at a glance` : 'Summit commitments at a glance',
        description: `${bar.text} Track what was promised${summit ? ` at the ${summit.name}` : ''}, by country and sector, and get an email when something moves.`,
        nav: { home: true },
        heading: 'Summit commitments at a glance',
        summit: summit && {
          ...summit,
          start: dateView(summit.startDate),
          end: dateView(summit.endDate),
          manySources: summit.sources.length > 1,
          sources: summit.sources.map((s) => ({ ...s, date: dateView(s.date) })),
        },
        bar,
        attention: {
          count: (counts.all.off_track ?? 0) + (counts.all.at_risk ?? 0) + (counts.all.stalled ?? 0),
          href: '/workstreams?health=off_track,at_risk,stalled',
        },
        checked: run ? `Health last checked ${instantView(run.asOf).text}, ${instantView(run.asOf).time}.` : 'Health has not been checked yet.',
        countries: countries.map((c) => ({ ...c, bar: healthBar(counts.byCountry[c.code], (h) => `/countries/${c.code}?health=${h}`) })),
        sectors: sectors.map((s) => ({ ...s, bar: healthBar(counts.bySector[s.slug], (h) => `/sectors/${encodeURIComponent(s.slug)}?health=${h}`) })),
        changes: latest.items.map(feedEventView),
        upcoming: upcoming.map((m) => ({ workstream: m.workstream, milestone: milestoneView(m, today) })),
        horizon: dateView(horizon.toISOString()),
      });
    });
    sendPage(request, response, page);
  }

  @Get('workstreams/:slug')
  async workstream(@Param('slug') slug: string, @Query() query: unknown, @Req() request: Request, @Res() response: Response) {
    refuseUnknownParameters(query, ['asOf']);
    const raw = (query as Record<string, unknown>)?.asOf;
    const asOfValue = typeof raw === 'string' ? raw.trim() : '';
    const asOfError = asOfValue && !AS_OF.safeParse(asOfValue).success ? 'Give a date such as 2024-06-30.' : undefined;
    const asOf = asOfValue && !asOfError ? asOfValue : undefined;
    const path = `/workstreams/${encodeURIComponent(slug)}`;
    const page = await this.cache.get(`${path}${queryString({ asOf: asOfValue })}`, async () => {
      const detail = await this.workstreams.get(slug);
      const [[view], countries, sectors, summits, then] = await Promise.all([
        this.checks.withLastChecked([detail]),
        this.catalog.countries(),
        this.catalog.sectors(),
        this.catalog.summits(),
        asOf ? this.history.healthAsOf(detail.id, asOf) : Promise.resolve(undefined),
      ]);
      const names = namesOf(countries, sectors);
      const today = todayUtc();
      const milestonesById = new Map(detail.milestones.map((m) => [m.id, m]));
      const source = view.source as { quote?: string; title?: string; url?: string; publisher?: string; date?: string } | null;
      const feedQuery = `?workstream=${encodeURIComponent(view.slug)}`;
      const feeds = { atom: `/v1/feeds/events.atom${feedQuery}`, ics: `/v1/feeds/milestones.ics${feedQuery}` };
      return this.renderer.render(
        'workstream',
        `/workstreams/${encodeURIComponent(view.slug)}${queryString({ asOf })}`,
        {
          title: view.title,
          description: `${healthLabel(view.health)}: ${view.healthReason} ${view.summary}`.slice(0, 300),
          alternates: [{ type: 'application/atom+xml', title: `Changes to ${view.title}`, href: feeds.atom }],
          ws: {
            ...view,
            stage: stageLabel(view.stage),
            instrument: instrumentLabel(view.instrument),
            countries: view.countries.map((code) => ({ code, name: names.countries.get(code) ?? code })),
            sectors: view.sectors.map((s) => ({ slug: s, name: names.sectors.get(s) ?? s })),
            healthSince: dateView(view.healthSince),
            lastChecked: view.lastCheckedAt ? instantView(view.lastCheckedAt) : null,
            source: source?.quote ? { ...source, date: dateView(source.date) } : null,
          },
          health: healthBadge(view.health),
          summit: summits.find((s) => s.slug === view.summit) ?? null,
          strip: healthStrip(detail.history, view.createdAt, { health: view.health, since: view.healthSince }, today),
          review: {
            on: dateView(view.lastReviewedAt),
            by: view.lastReviewedBy,
            note: view.lastReviewNote,
            due: view.reviewDue,
          },
          asOfValue,
          asOfError,
          asOf: then && {
            day: dateView(then.asOf),
            health: healthBadge(then.health),
            reason: then.healthReason,
            sourceLabel: then.healthSource === 'history' ? 'as recorded then' : 'computed from the milestones as they stood then',
          },
          milestones: detail.milestones.map((m) => milestoneView(m, today)),
          history: detail.history.map((e) => eventView(e, milestonesById)),
          feeds,
          box: {
            heading: 'Follow this workstream',
            lead: 'An email when its health, stage or a milestone changes.',
            hidden: [{ name: 'workstreams', value: view.slug }],
            fullFormHref: `/subscribe?workstream=${encodeURIComponent(view.slug)}`,
          },
        },
        asOfError ? 400 : 200,
      );
    });
    sendPage(request, response, page);
  }

  @Get('changes')
  async changes(@Query() query: unknown, @Req() request: Request, @Res() response: Response) {
    const filter = parseChangesQuery(query);
    const given = (query ?? {}) as Record<string, string>;
    const canonical = {
      since: filter.since ? given.since.trim() : undefined,
      country: filter.country?.join(','),
      sector: filter.sector?.join(','),
      type: filter.type?.join(','),
      workstream: filter.workstream?.join(','),
    };
    const key = `/changes${queryString({ ...canonical, cursor: filter.cursor })}`;
    if (hasEmptyParameters(query)) return response.redirect(302, key);
    const page = await this.cache.get(key, async () => {
      const [feed, catalog] = await Promise.all([
        this.events.feed({
          since: filter.since,
          countries: filter.country,
          sectors: filter.sector,
          types: filter.type,
          workstreams: filter.workstream,
          limit: CHANGES_PAGE_SIZE,
          cursor: filter.cursor,
        }),
        this.subscriptions.catalog(),
      ]);
      const filters = queryString(canonical);
      const option = (value: string, label: string, current: readonly string[] | undefined) => ({ value, label, selected: current?.includes(value) ?? false });
      return this.renderer.render('changes', `/changes${filters}`, {
        title: 'What changed',
        description: 'Every recorded change to the summit commitments Pledgewatch tracks: health, stage and milestones, newest first, with reasons.',
        nav: { changes: true },
        form: {
          since: canonical.since ?? '',
          countries: catalog.countries.map((c) => option(c.code, c.name, filter.country)),
          sectors: catalog.sectors.map((s) => option(s.slug, s.name, filter.sector)),
          types: EVENT_TYPE_NAMES.map((t) => option(t, EVENT_TYPE_LABELS[t], filter.type)),
          workstreams: catalog.workstreams.map((w) => option(w.slug, w.title, filter.workstream)),
        },
        filtered: filters !== '',
        // One click to "what changed last week / month / quarter".
        periods: [7, 30, 90].map((days) => {
          const since = addDays(todayUtc(), -days).toISOString().slice(0, 10);
          return { label: `Last ${days} days`, href: `/changes${queryString({ ...canonical, since })}`, current: canonical.since === since };
        }),
        changes: feed.items.map(feedEventView),
        nextHref: feed.nextCursor ? `/changes${queryString({ ...canonical, cursor: feed.nextCursor })}` : null,
        firstHref: filter.cursor ? `/changes${filters}` : null,
        apiHref: `/v1/events${filters}`,
        atomHref: `/v1/feeds/events.atom${filters}`,
      });
    });
    sendPage(request, response, page);
  }
}

function namesOf(countries: { code: string; name: string }[], sectors: { slug: string; name: string }[]): Names {
  return { countries: new Map(countries.map((c) => [c.code, c.name])), sectors: new Map(sectors.map((s) => [s.slug, s.name])) };
}

function feedEventView(row: FeedEventRow) {
  const milestones = new Map(row.milestoneId && row.milestone ? [[row.milestoneId, row.milestone]] : []);
  return { ...eventView(toEventView(row), milestones), workstream: { slug: row.workstream.slug, title: row.workstream.title } };
}
