import { Injectable } from '@nestjs/common';
import { PrismaService } from '@pledgewatch/database';

/** The catalog's Postgres I/O: the reference lists, in the order they are shown. */
@Injectable()
export class CatalogRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** ASEAN members by name, then observers, then partners (the enum's declared order). */
  countries() {
    return this.prisma.country.findMany({ orderBy: [{ group: 'asc' }, { name: 'asc' }] });
  }

  sectors() {
    return this.prisma.sector.findMany({ orderBy: [{ name: 'asc' }, { slug: 'asc' }] });
  }

  /** Most recent summit first; sources in the order the editors gave them. */
  summits() {
    return this.prisma.summit.findMany({
      orderBy: [{ startDate: 'desc' }, { slug: 'asc' }],
      include: { sources: { orderBy: { position: 'asc' } } },
    });
  }
}
