import { Injectable } from '@nestjs/common';
import { Milestone, PrismaService } from '@pledgewatch/database';

/** The export's own read: the milestones of one batch of workstreams, in their order. */
@Injectable()
export class ExportRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Milestones of these workstreams, grouped by workstream id, each group by position. */
  async milestonesOf(workstreamIds: string[]): Promise<Map<string, Milestone[]>> {
    const rows = await this.prisma.milestone.findMany({
      where: { workstreamId: { in: workstreamIds } },
      orderBy: [{ workstreamId: 'asc' }, { position: 'asc' }, { id: 'asc' }],
    });
    const byWorkstream = new Map<string, Milestone[]>(workstreamIds.map((id) => [id, []]));
    for (const row of rows) byWorkstream.get(row.workstreamId)?.push(row);
    return byWorkstream;
  }
}
