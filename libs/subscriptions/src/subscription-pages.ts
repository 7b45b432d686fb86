import path from 'node:path';
import { Injectable } from '@nestjs/common';
import { LayoutData, pageTemplates, stylesheet } from '@pledgewatch/page-layout';
import { knownTimezones, WEEKDAYS } from './subscription-input';
import { describePreferences, describeTopics, SubscriberRecord, TopicRecord, topicRefsOf } from './subscription-view';

/** Beside the compiled code; the build copies them (nest-cli.json "assets"). */
export const PAGES_DIR = path.join(__dirname, 'pages');

export interface ManageCatalog {
  countries: { code: string; name: string }[];
  sectors: { slug: string; name: string }[];
  workstreams: { slug: string; title: string }[];
}

const PROBLEM_TITLES: Record<string, [title: string, hint?: string]> = {
  token_used: ['This link has already been used', 'Each confirmation link works once. If you already confirmed, there is nothing more to do.'],
  token_expired: ['This link has expired', 'Confirmation links work for 7 days, the other links in an email for a few months: use a more recent email, or subscribe again.'],
  token_invalid: ['This link is not valid', 'It may be incomplete, or a newer email replaced it: use the link in the most recent email.'],
  subscriber_not_found: ['This address is no longer on our lists', 'There is nothing to unsubscribe from.'],
};

const capitalised = (s: string) => s[0].toUpperCase() + s.slice(1);

/** The shared layout's fields for a page behind a private link: kept out of search and link previews. */
const privatePage = (title: string, description: string): LayoutData => ({
  title,
  description,
  noindex: true,
  stylesheet: stylesheet().href,
});

/**
 * The pages a person reaches from an email link: small server-rendered HTML, no script, every
 * value escaped by Handlebars. Forms post back to the same relative URL; the token in it is the
 * authorisation, so there is no session and nothing for CSRF to ride on.
 */
@Injectable()
export class SubscriptionPages {
  private readonly templates = pageTemplates(PAGES_DIR);
  private timezones?: string[];

  confirmed(subscriber: SubscriberRecord, outcome: 'confirmed' | 'changed' | 'already_active', manageUrl: string): string {
    const [title, lead] = {
      confirmed: ['Subscription confirmed', `Thank you: ${subscriber.email} is now subscribed.`],
      already_active: ['Subscription confirmed', `${subscriber.email} was already subscribed.`],
      changed: ['Changes applied', `Your subscription for ${subscriber.email} now follows the topics below.`],
    }[outcome];
    return this.templates.render('confirmed', 'html', {
      ...privatePage(title, 'Your Pledgewatch subscription.'),
      lead,
      topics: describeTopics(subscriber.topics),
      delivery: describePreferences(subscriber),
      manageUrl,
    });
  }

  /** The page a confirm or apply-change link opens: a button that POSTs; the GET changed nothing. */
  confirm(subscriber: SubscriberRecord, action: 'confirm' | 'apply_change', topics: TopicRecord[], token: string): string {
    const [title, lead, topicsHeading, button] =
      action === 'confirm'
        ? ['Confirm your subscription', `Subscribe ${subscriber.email} to Pledgewatch emails about:`, 'You will follow', 'Confirm my subscription']
        : ['Confirm the changes', `Change what ${subscriber.email} gets from Pledgewatch.`, 'You will follow', 'Apply the changes'];
    return this.templates.render('confirm', 'html', {
      ...privatePage(title, 'Your Pledgewatch subscription.'),
      lead,
      topicsHeading,
      topics: describeTopics(topics),
      button,
      action: `confirm?token=${encodeURIComponent(token)}`,
    });
  }

  unsubscribe(subscriber: SubscriberRecord, token: string, manageUrl: string): string {
    return this.templates.render('unsubscribe', 'html', {
      ...privatePage(subscriber.state === 'unsubscribed' ? 'Already unsubscribed' : 'Unsubscribe from Pledgewatch', 'Stop Pledgewatch emails.'),
      email: subscriber.email,
      alreadyUnsubscribed: subscriber.state === 'unsubscribed',
      action: `unsubscribe?token=${encodeURIComponent(token)}`,
      manageUrl,
    });
  }

  /** "Delete my data": what it erases, and a button that POSTs; the GET changed nothing. */
  erase(subscriber: SubscriberRecord, token: string, manageUrl: string): string {
    return this.templates.render('erase', 'html', {
      ...privatePage('Delete your data', 'Erase your Pledgewatch subscription.'),
      email: subscriber.email,
      action: `erase?token=${encodeURIComponent(token)}`,
      manageUrl,
    });
  }

  erased(email: string): string {
    return this.templates.render('erased', 'html', { ...privatePage('Your data is erased', 'Erase your Pledgewatch subscription.'), email });
  }

  unsubscribed(email: string, manageUrl: string): string {
    return this.templates.render('unsubscribed', 'html', { ...privatePage('You are unsubscribed', 'Stop Pledgewatch emails.'), email, manageUrl });
  }

  manage(
    subscriber: SubscriberRecord,
    catalog: ManageCatalog,
    token: string,
    feedback: { notice?: string; error?: string; errors?: string[] } = {},
  ): string {
    const refs = topicRefsOf(subscriber.topics);
    const followed = new Set(refs.workstreams);
    const countryName = new Map(catalog.countries.map((c) => [c.code, c.name]));
    const sectorName = new Map(catalog.sectors.map((s) => [s.slug, s.name]));
    this.timezones ??= knownTimezones();
    const zones = this.timezones.includes(subscriber.timezone) ? this.timezones : [subscriber.timezone, ...this.timezones];

    return this.templates.render('manage', 'html', {
      ...privatePage('Your Pledgewatch preferences', 'What Pledgewatch sends you, and when.'),
      email: subscriber.email,
      ...feedback,
      stateNote: {
        pending: 'Your subscription is not confirmed yet: nothing is sent until you follow the link in the confirmation email.',
        unsubscribed: 'You are unsubscribed: nothing is sent. To come back, subscribe again on the home page; we will email you a new confirmation link.',
        active: '',
      }[subscriber.state],
      action: `manage?token=${encodeURIComponent(token)}`,
      eraseUrl: `erase?token=${encodeURIComponent(token)}`,
      countries: catalog.countries.map((c) => ({ ...c, checked: refs.countries.includes(c.code) })),
      sectors: catalog.sectors.map((s) => ({ ...s, checked: refs.sectors.includes(s.slug) })),
      intersections: refs.intersections.map(({ country, sector }) => ({
        value: `${country}:${sector}`,
        label: `${countryName.get(country) ?? country} × ${sectorName.get(sector) ?? sector}`,
      })),
      workstreams: subscriber.topics
        .filter((t) => t.workstreamSlug)
        .map((t) => ({ slug: t.workstreamSlug, title: t.workstreamTitle ?? t.workstreamSlug })),
      otherWorkstreams: catalog.workstreams.filter((w) => !followed.has(w.slug)),
      alerts: subscriber.alerts,
      digest: subscriber.digest,
      skipEmptyDigest: subscriber.skipEmptyDigest,
      days: WEEKDAYS.map((day) => ({ value: day, label: capitalised(day), selected: day === subscriber.digestDay })),
      hours: Array.from({ length: 24 }, (_, hour) => ({
        value: hour,
        label: `${String(hour).padStart(2, '0')}:00`,
        selected: hour === subscriber.digestHour,
      })),
      timezones: zones.map((value) => ({ value, selected: value === subscriber.timezone })),
    });
  }

  problem(code: string, detail: string): string {
    const [title, hint] = PROBLEM_TITLES[code] ?? ['Something is not right', undefined];
    return this.templates.render('problem', 'html', { ...privatePage(title, 'A link from a Pledgewatch email.'), detail, hint });
  }
}
