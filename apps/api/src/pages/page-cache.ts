import { Injectable } from '@nestjs/common';
import type { RenderedPage } from './page-response';

/** How long a rendered page is reused in this process: well inside the minute a CDN may keep it. */
export const PAGE_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 500;

/**
 * Rendered pages by URL, for a few seconds, with one render in flight per URL however many
 * requests ask for it at once. Pages read many rows and change only when an editor or the hourly
 * check writes, so a page a few seconds old is what a CDN would have served anyway; a failed
 * render (404, database down) is not kept.
 */
@Injectable()
export class PageCache {
  private readonly entries = new Map<string, { expires: number; page: Promise<RenderedPage> }>();

  get(key: string, render: () => Promise<RenderedPage>, now = Date.now()): Promise<RenderedPage> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.page;
    if (hit) this.entries.delete(key);
    const page = render();
    this.entries.set(key, { expires: now + PAGE_CACHE_TTL_MS, page });
    page.catch(() => {
      if (this.entries.get(key)?.page === page) this.entries.delete(key);
    });
    // Oldest first in a Map: evict from the front.
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return page;
  }
}
