import { Controller, Get, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CatalogService } from '@pledgewatch/catalog';
import { Health } from '@pledgewatch/database';
import { NotFoundError, ValidationError } from '@pledgewatch/problems';
import { WorkstreamFilter, WorkstreamsOverviewQuery, WorkstreamSort, WorkstreamsQuery } from '@pledgewatch/workstreams';
import { SORT_PARAMETER, WORKSTREAM_FILTER_PARAMETERS } from '../public/filter-params';
import { countryList, cursor, slugList } from '../public/query-params';
import { PageCache } from './page-cache';
import { PageErrorFilter } from './page-error.filter';
import { hasEmptyParameters, pageQuery, queryString } from './page-query';
import { PageRenderer } from './page-renderer';
import { sendPage } from './page-response';
import {
  addDays,
  dateView,
  HEALTH_ORDER,
  healthBadge,
  healthBar,
  healthLabel,
  highlighted,
  INSTRUMENT_ORDER,
  instrumentLabel,
  milestoneView,
  nextMilestoneView,
  STAGE_ORDER,
  stageLabel,
  todayUtc,
} from './presenters';

const LISTING_PAGE_SIZE = 50;
const DUE_LIMIT = 200;

/** Every filter of GET /v1/workstreams, parsed by the same rules, plus the page's order and cursor. */
const LISTING_SHAPE = { ...WORKSTREAM_FILTER_PARAMETERS.shape, sort: SORT_PARAMETER, cursor: cursor().optional() };
const { country: _country, ...WITHOUT_COUNTRY } = LISTING_SHAPE;
const { sector: _sector, ...WITHOUT_SECTOR } = LISTING_SHAPE;
const parseListing = pageQuery(LISTING_SHAPE);
const parseCountryListing = pageQuery(WITHOUT_COUNTRY);
const parseSectorListing = pageQuery(WITHOUT_SECTOR);

type ListingQuery = Partial<z.output<z.ZodObject<typeof LISTING_SHAPE>>>;

const SORT_LABELS: Record<WorkstreamSort, string> = {
  relevance: 'Best match',
  severity: 'Most serious first',
  due: 'Next due date',
  changed: 'Last change',
  title: 'Title',
  newest: 'Newest',
};

/** The pages' canonical query: the parameters that matter, in a fixed order, lists comma-joined. */
function listingQuery(q: ListingQuery): string {
  return queryString({
    q: q.q,
    summit: q.summit?.join(','),
    country: q.country?.join(','),
    sector: q.sector?.join(','),
    health: q.health?.join(','),
    stage: q.stage?.join(','),
    instrument: q.instrument?.join(','),
    reviewDue: q.reviewDue === undefined ? undefined : String(q.reviewDue),
    sort: q.sort,
    cursor: q.cursor,
  });
}

const parseDue = pageQuery({
  within: z.enum(['30', '90'], { error: 'must be 30 or 90 (days)' }).optional(),
  country: countryList().optional(),
  sector: slugList('a sector slug').optional(),
});

type Names = { countries: Map<string, string>; sectors: Map<string, string>; summits: Map<string, string> };

/**
 * The pages that answer an analyst's questions across workstreams: every workstream searched,
 * filtered and sorted (and the same list for one country or sector, or both), what is due, and a
 * summit's parties × workstreams matrix. Read through the JSON API's queries; see docs/pages.md.
 */
@ApiExcludeController()
@Controller()
@UseFilters(PageErrorFilter)
export class ListingPagesController {
  constructor(
    private readonly renderer: PageRenderer,
    private readonly cache: PageCache,
    private readonly catalog: CatalogService,
    private readonly workstreams: WorkstreamsQuery,
    private readonly overview: WorkstreamsOverviewQuery,
  ) {}

  @Get('workstreams')
  async all(@Query() query: unknown, @Req() request: Request, @Res() response: Response) {
    const filter = parseListing(query);
    const key = `/workstreams${listingQuery(filter)}`;
    if (hasEmptyParameters(query)) return response.redirect(302, key);
    const page = await this.cache.get(key, async () => {
      const names = await this.names();
      const listing = await this.listing({}, filter, '/workstreams', names);
      const searched = filter.q ? `“${filter.q}”` : null;
      return this.renderer.render('listing', `/workstreams${listingQuery({ ...filter, cursor: undefined })}`, {
        title: searched ? `Workstreams matching ${searched}` : 'Every workstream',
        description: `${listing.bar.text} Every commitment Pledgewatch tracks: search, filter by summit, country, sector, health, stage and instrument, and sort.`,
        nav: { workstreams: true },
        kind: 'Every workstream',
        heading: searched ? `Workstreams matching ${searched}` : 'Every workstream',
        intro: 'Every commitment tracked, with its health, stage and next milestone. Search, filter and sort; the address of each view can be shared.',
        ...listing.view,
      });
    });
    sendPage(request, response, page);
  }

  @Get('countries/:code')
  async country(@Param('code') raw: string, @Query() query: unknown, @Req() request: Request, @Res() response: Response) {
    const code = raw.toUpperCase();
    if (code !== raw && /^[a-z]{2}$/i.test(raw)) return response.redirect(301, `/countries/${code}${queryString(query as Record<string, string>)}`);
    const filter = parseCountryListing(query);
    const path = `/countries/${encodeURIComponent(code)}`;
    if (hasEmptyParameters(query)) return response.redirect(302, `${path}${listingQuery(filter)}`);
    const page = await this.cache.get(`${path}${listingQuery(filter)}`, async () => {
      const names = await this.names();
      const name = names.countries.get(code);
      if (!name) throw new NotFoundError('Country', code);
      const listing = await this.listing({ country: [code] }, filter, path, names);
      const sectors = filter.sector?.map((s) => names.sectors.get(s) ?? s).join(' or ');
      const heading = sectors ? `${name} × ${sectors}` : name;
      return this.renderer.render('listing', `${path}${listingQuery({ ...filter, cursor: undefined })}`, {
        title: `${heading}: summit commitments and their health`,
        description: `${listing.bar.text} What was promised to or by ${name}${sectors ? ` in ${sectors.toLowerCase()}` : ''}, and whether it is on track.`,
        kind: 'Country',
        heading,
        intro: sectors
          ? `Commitments that concern ${name} in ${sectors.toLowerCase()}, with their health, stage and next milestone.`
          : `Commitments that concern ${name}, with their health, stage and next milestone.`,
        ...listing.view,
        box: {
          heading: `Follow ${heading}`,
          lead: `An email when a commitment concerning ${name} moves.`,
          hidden: [{ name: 'intersectionCountry', value: code }],
          // The view's own sector chosen: following "Philippines × Maritime security" follows that pair.
          narrow: { label: 'Only in one sector (optional)', name: 'intersectionSector', all: 'Every sector', options: chosen(listing.sectorsHere, filter.sector) },
          fullFormHref: `/subscribe?country=${encodeURIComponent(code)}`,
        },
      });
    });
    sendPage(request, response, page);
  }

  @Get('sectors/:slug')
  async sector(@Param('slug') slug: string, @Query() query: unknown, @Req() request: Request, @Res() response: Response) {
    const filter = parseSectorListing(query);
    const path = `/sectors/${encodeURIComponent(slug)}`;
    if (hasEmptyParameters(query)) return response.redirect(302, `${path}${listingQuery(filter)}`);
    const page = await this.cache.get(`${path}${listingQuery(filter)}`, async () => {
      const names = await this.names();
      const name = names.sectors.get(slug);
      if (!name) throw new NotFoundError('Sector', slug);
      const listing = await this.listing({ sector: [slug] }, filter, path, names);
      const countries = filter.country?.map((c) => names.countries.get(c) ?? c).join(' or ');
      const heading = countries ? `${countries} × ${name}` : name;
      return this.renderer.render('listing', `${path}${listingQuery({ ...filter, cursor: undefined })}`, {
        title: `${heading}: summit commitments and their health`,
        description: `${listing.bar.text} What was promised in ${name.toLowerCase()}${countries ? ` concerning ${countries}` : ''}, and whether it is on track.`,
        kind: 'Sector',
        heading,
        intro: `Commitments in ${name.toLowerCase()}${countries ? ` that concern ${countries}` : ''}, with their health, stage and next milestone.`,
        ...listing.view,
        box: {
          heading: `Follow ${name.toLowerCase()}`,
          lead: `An email when a commitment in ${name.toLowerCase()} moves.`,
          hidden: [{ name: 'intersectionSector', value: slug }],
          narrow: { label: 'Only for one country (optional)', name: 'intersectionCountry', all: 'Every country', options: chosen(listing.countriesHere, filter.country) },
          fullFormHref: `/subscribe?sector=${encodeURIComponent(slug)}`,
        },
      });
    });
    sendPage(request, response, page);
  }

  @Get('due')
  async due(@Query() query: unknown, @Req() request: Request, @Res() response: Response) {
    const filter = parseDue(query);
    const canonical = { within: filter.within, country: filter.country?.join(','), sector: filter.sector?.join(',') };
    const key = `/due${queryString(canonical)}`;
    if (hasEmptyParameters(query)) return response.redirect(302, key);
    const page = await this.cache.get(key, async () => {
      const names = await this.names();
      knownOrRefuse('country', filter.country, names.countries);
      knownOrRefuse('sector', filter.sector, names.sectors);
      const days = Number(filter.within ?? '30');
      const today = todayUtc();
      const scope = { countries: filter.country, sectors: filter.sector, limit: DUE_LIMIT };
      const [upcoming, pastDue] = await Promise.all([
        this.overview.upcomingMilestones({ ...scope, from: new Date(`${today}T00:00:00Z`), to: addDays(today, days) }),
        this.overview.pastDueMilestones({ ...scope, before: new Date(`${today}T00:00:00Z`) }),
      ]);
      const item = (m: (typeof upcoming)[number]) => ({ workstream: m.workstream, milestone: milestoneView(m, today) });
      const feedQuery = queryString({ country: canonical.country, sector: canonical.sector });
      const option = (value: string, label: string, current: readonly string[] | undefined) => ({ value, label, selected: current?.length === 1 && current[0] === value });
      return this.renderer.render('due', `/due${queryString(canonical)}`, {
        title: `Due in the next ${days} days`,
        description: `Milestones of the summit commitments due in the next ${days} days, and those past due awaiting review.`,
        nav: { due: true },
        days,
        horizon: dateView(addDays(today, days).toISOString()),
        today: dateView(today),
        form: {
          within: [30, 90].map((d) => ({ value: String(d), label: `Next ${d} days`, selected: d === days })),
          countries: sortByLabel([...names.countries].map(([value, label]) => option(value, label, filter.country))),
          sectors: sortByLabel([...names.sectors].map(([value, label]) => option(value, label, filter.sector))),
        },
        upcoming: upcoming.map(item),
        pastDue: pastDue.map(item),
        truncated: upcoming.length >= DUE_LIMIT || pastDue.length >= DUE_LIMIT,
        icsHref: `/v1/feeds/milestones.ics${feedQuery}`,
        filtered: Boolean(filter.country || filter.sector),
      });
    });
    sendPage(request, response, page);
  }

  @Get('summits/:slug')
  async summit(@Param('slug') slug: string, @Query() query: unknown, @Req() request: Request, @Res() response: Response) {
    pageQuery({})(query);
    const path = `/summits/${encodeURIComponent(slug)}`;
    const page = await this.cache.get(path, async () => {
      const [summits, names] = await Promise.all([this.catalog.summits(), this.names()]);
      const summit = summits.find((s) => s.slug === slug);
      if (!summit) throw new NotFoundError('Summit', slug);
      const items = await this.everyWorkstream({ summits: [slug], sort: 'severity' });
      const parties = [...new Set(items.flatMap((w) => w.countries))]
        .map((code) => ({ code, name: names.countries.get(code) ?? code }))
        .sort((a, b) => a.name.localeCompare(b.name));
      const counts: Partial<Record<Health, number>> = {};
      for (const w of items) counts[w.health] = (counts[w.health] ?? 0) + 1;
      const bar = healthBar(counts, (h) => `/workstreams${listingQuery({ summit: [slug], health: [h] })}`);
      return this.renderer.render('summit', path, {
        title: `${summit.name}: the commitments and who made them`,
        description: `${bar.text} What was promised at the ${summit.name}, by party, and whether it is on track.`,
        summit: {
          ...summit,
          start: dateView(summit.startDate),
          end: dateView(summit.endDate),
          sources: summit.sources.map((s) => ({ ...s, date: dateView(s.date) })),
        },
        bar,
        listHref: `/workstreams${listingQuery({ summit: [slug] })}`,
        parties,
        rows: items.map((w) => ({
          slug: w.slug,
          title: w.title,
          health: healthBadge(w.health),
          cells: parties.map((p) => ({ party: p.name, code: p.code, member: w.countries.includes(p.code) })),
        })),
      });
    });
    sendPage(request, response, page);
  }

  /** Every workstream a filter matches, following the pages (a summit's are a few dozen). */
  private async everyWorkstream(filter: Omit<WorkstreamFilter, 'limit' | 'cursor'>) {
    const items = [];
    let cursor: string | undefined;
    do {
      const page = await this.workstreams.list({ ...filter, limit: 100, cursor });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return items;
  }

  private async names(): Promise<Names> {
    const [countries, sectors, summits] = await Promise.all([this.catalog.countries(), this.catalog.sectors(), this.catalog.summits()]);
    return {
      countries: new Map(countries.map((c) => [c.code, c.name])),
      sectors: new Map(sectors.map((s) => [s.slug, s.name])),
      summits: new Map(summits.map((s) => [s.slug, s.name])),
    };
  }

  /** A list of workstreams a page at a time, as the filter asks, with the filter form and each one's next milestone. */
  private async listing(scope: { country?: string[]; sector?: string[] }, given: ListingQuery, path: string, names: Names) {
    knownOrRefuse('country', given.country, names.countries);
    knownOrRefuse('sector', given.sector, names.sectors);
    knownOrRefuse('summit', given.summit, names.summits);
    const sort = given.sort ?? (given.q ? 'relevance' : 'severity');
    const all = { ...given, ...scope };
    const base: Omit<WorkstreamFilter, 'limit'> = {
      q: all.q,
      summits: all.summit,
      countries: all.country,
      sectors: all.sector,
      stages: all.stage,
      instruments: all.instrument,
      reviewDue: all.reviewDue,
    };
    const [page, counts] = await Promise.all([
      this.workstreams.list({ ...base, health: all.health, sort, limit: LISTING_PAGE_SIZE, cursor: given.cursor, highlight: true }),
      // The bar and the chips: the list before its health filter, so each chip says what it would show.
      this.workstreams.healthCounts(base),
    ]);
    const next = await this.overview.nextMilestones(page.items.map((w) => w.id));
    const today = todayUtc();
    const kept = { ...given, cursor: undefined };
    const bar = healthBar(counts, (h) => `${path}${listingQuery({ ...kept, health: [h] })}`);
    const only = given.health?.length === 1 ? given.health[0] : undefined;
    const option = (value: string, label: string, current: readonly string[] | undefined) => ({ value, label, selected: current?.length === 1 && current[0] === value });
    const shown = given.health ? given.health.reduce((sum, h) => sum + (counts[h] ?? 0), 0) : bar.total;
    const apiQuery = listingQuery({ ...kept, ...scope, sort: given.sort });
    const filtered = Object.entries(kept).some(([name, value]) => name !== 'sort' && value !== undefined);
    return {
      bar,
      sectorsHere: sortByLabel([...new Set(page.items.flatMap((w) => w.sectors))].map((s) => ({ value: s, label: names.sectors.get(s) ?? s }))),
      countriesHere: sortByLabel([...new Set(page.items.flatMap((w) => w.countries))].map((c) => ({ value: c, label: names.countries.get(c) ?? c }))),
      view: {
        bar,
        basePath: path,
        matches: `${shown} workstream${shown === 1 ? '' : 's'}${filtered ? ' match' : ''}${shown === 1 && filtered ? 'es' : ''}${given.cursor ? ' (a later page)' : ''}.`,
        filtered,
        searched: given.q ?? '',
        // A new search keeps the filters (and a new filter the search: the other form's hidden q).
        hiddenFilters: [...new URLSearchParams(listingQuery({ ...kept, q: undefined }).slice(1))].map(([name, value]) => ({ name, value })),
        allHealthHref: `${path}${listingQuery({ ...kept, health: undefined })}`,
        healthChips: bar.legend.map((entry) => ({ ...entry, current: entry.health === only })),
        healthFiltered: Boolean(given.health),
        form: {
          q: given.q ?? '',
          summits: names.summits.size > 1 || given.summit ? sortByLabel([...names.summits].map(([v, l]) => option(v, l, given.summit))) : null,
          countries: scope.country ? null : sortByLabel([...names.countries].map(([v, l]) => option(v, l, given.country))),
          sectors: scope.sector ? null : sortByLabel([...names.sectors].map(([v, l]) => option(v, l, given.sector))),
          health: HEALTH_ORDER.map((h) => option(h, healthLabel(h), given.health)),
          stage: STAGE_ORDER.map((s) => option(s, stageLabel(s), given.stage)),
          instrument: INSTRUMENT_ORDER.map((i) => option(i, instrumentLabel(i), given.instrument)),
          sort: (given.q ? (['relevance'] as WorkstreamSort[]) : [])
            .concat(['severity', 'due', 'changed', 'title', 'newest'])
            .map((s) => ({ value: s, label: SORT_LABELS[s], selected: s === sort })),
        },
        workstreams: page.items.map((w) => ({
          slug: w.slug,
          title: w.highlight ? highlighted(w.highlight.title) : [{ text: w.title, mark: false }],
          excerpt: w.highlight ? excerptOf(w.summary, w.highlight.excerpt) : null,
          health: healthBadge(w.health),
          healthReason: w.healthReason,
          stage: stageLabel(w.stage),
          instrument: instrumentLabel(w.instrument),
          countries: w.countries.map((c) => names.countries.get(c) ?? c).join(', '),
          next: nextMilestoneView(next.get(w.id), today),
        })),
        nextHref: page.nextCursor ? `${path}${listingQuery({ ...given, cursor: page.nextCursor })}` : null,
        firstHref: given.cursor ? `${path}${listingQuery(kept)}` : null,
        apiHref: `/v1/workstreams${apiQuery}`,
      },
    };
  }
}

/** A country, sector or summit the catalog does not hold: a 400 that names the parameter, not an empty list. */
function knownOrRefuse(field: string, values: readonly string[] | undefined, known: Map<string, string>): void {
  const unknown = values?.filter((v) => !known.has(v)) ?? [];
  if (unknown.length) {
    throw new ValidationError(
      [{ field, code: 'unknown_value', message: `${unknown.map((v) => `“${v}”`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a ${field} Pledgewatch tracks.` }],
      'The address has a filter this page does not understand.',
    );
  }
}

/** The summary's highlighted fragments, with an ellipsis where a fragment starts or ends inside it. */
function excerptOf(summary: string, excerpt: string) {
  const parts = highlighted(excerpt);
  const plain = parts.map((p) => p.text).join('');
  if (!parts.some((p) => p.mark)) return null;
  if (!summary.startsWith(plain.slice(0, 20))) parts.unshift({ text: '… ', mark: false });
  if (!summary.endsWith(plain.slice(-20))) parts.push({ text: ' …', mark: false });
  return parts;
}

/** The options with the one value the view is narrowed to (if exactly one) selected. */
const chosen = (options: { value: string; label: string }[], current: readonly string[] | undefined) =>
  options.map((o) => ({ ...o, selected: current?.length === 1 && current[0] === o.value }));

const sortByLabel = <T extends { label: string }>(items: T[]) => items.sort((a, b) => a.label.localeCompare(b.label));
