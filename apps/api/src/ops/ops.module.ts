import { Module } from '@nestjs/common';
import { ObservabilityModule } from '@pledgewatch/observability';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

/** Operations endpoints: /health/live, /health/ready (and /v1/status), /metrics. */
@Module({
  imports: [ObservabilityModule],
  controllers: [HealthController, MetricsController],
})
export class OpsModule {}
