import { Controller, Get } from '@nestjs/common';
import { PrismaService } from '@pledgewatch/database';

/** Liveness and readiness for load balancers and `npm start`'s wait loop. */
@Controller('v1/status')
export class StatusController {
  constructor(private readonly prisma: PrismaService) {}

  @Get()
  async status() {
    await this.prisma.$queryRaw`SELECT 1`;
    return { status: 'ok' };
  }
}
