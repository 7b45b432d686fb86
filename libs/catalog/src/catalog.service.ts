import { Injectable } from '@nestjs/common';
import { CatalogRepository } from './catalog.repository';

const isoDate = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);

/** The reference lists every filter and subscription refers to: countries, sectors, summits. */
@Injectable()
export class CatalogService {
  constructor(private readonly repository: CatalogRepository) {}

  /** ASEAN members by name, then observers, then partners (the enum's declared order). */
  async countries() {
    const rows = await this.repository.countries();
    return rows.map((c) => ({ code: c.code, name: c.name, group: c.group }));
  }

  async sectors() {
    const rows = await this.repository.sectors();
    return rows.map((s) => ({ slug: s.slug, name: s.name }));
  }

  /** Most recent summit first; sources in the order the editors gave them. */
  async summits() {
    const rows = await this.repository.summits();
    return rows.map((s) => ({
      slug: s.slug,
      name: s.name,
      startDate: isoDate(s.startDate),
      endDate: isoDate(s.endDate),
      location: s.location,
      sources: s.sources.map((src) => ({ title: src.title, url: src.url, publisher: src.publisher, date: isoDate(src.date) })),
    }));
  }
}
