import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ReadinessChecks } from './health';
import { MetricsCollectors } from './metrics.collectors';

/** Readiness checks and the scrape-time gauges; needs DatabaseModule and QueueModule.forRoot(). */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  providers: [ReadinessChecks, MetricsCollectors],
  exports: [ReadinessChecks],
})
export class ObservabilityModule {}
