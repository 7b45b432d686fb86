import type { Server } from 'node:http';
import request from 'supertest';

/** What a browser sends when a person clicks a link. */
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** Feed subscriptions: a link a reader hands to a feed reader or a calendar, not a page. */
const FEEDS: { path: RegExp; type: RegExp }[] = [
  { path: /^\/v1\/feeds\/events\.atom$/, type: /^application\/atom\+xml/ },
  { path: /^\/v1\/feeds\/milestones\.ics$/, type: /^text\/calendar/ },
];

/** Every distinct http(s) link in the given texts: `href="…"` attributes and bare URLs, entities decoded. */
export function linksIn(...texts: string[]): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(/href="([^"]+)"/g)) found.add(decodeEntities(m[1]));
    for (const m of text.matchAll(/https?:\/\/[^\s"<>)\]]+/g)) found.add(decodeEntities(m[0]));
  }
  return [...found].filter((link) => /^https?:\/\//.test(link));
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export interface FollowedLink {
  link: string;
  status: number;
  contentType: string;
  /** The redirects taken, if any. */
  redirects: string[];
}

/**
 * Opens each link of `base` as a browser does (its Accept header, following redirects) against the
 * booted API, and asserts what a person gets: a page (200, text/html), or for a feed subscription
 * link, the feed. Links elsewhere (evidence on a ministry's site) are not followed.
 */
export async function followAsBrowser(server: Server, base: string, links: string[]): Promise<FollowedLink[]> {
  const followed: FollowedLink[] = [];
  for (const link of links) {
    const url = new URL(link);
    if (url.origin !== base) continue;
    const res = await request(server).get(`${url.pathname}${url.search}`).set('Accept', BROWSER_ACCEPT).redirects(3);
    const contentType = String(res.headers['content-type'] ?? '');
    const feed = FEEDS.find((f) => f.path.test(url.pathname));
    const seen = { link, status: res.status, contentType, redirects: res.redirects };
    expect({ link, status: res.status, type: contentType }).toEqual({ link, status: 200, type: expect.stringMatching(feed ? feed.type : /^text\/html/) });
    followed.push(seen);
  }
  return followed;
}
