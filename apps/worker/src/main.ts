import { Logger as NestLogger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '@pledgewatch/config';
import { ObservabilityModule, ReadinessChecks, startOpsServer } from '@pledgewatch/observability';
import { JobWorkers } from '@pledgewatch/queue';
import { WorkerLoggingModule } from './worker-logging.module';
import { WorkerModule } from './worker.module';

async function main() {
  const config = loadConfig();

  @Module({ imports: [WorkerLoggingModule.forRoot(config), WorkerModule.forRoot(config), ObservabilityModule] })
  class WorkerProcessModule {}

  const app = await NestFactory.createApplicationContext(WorkerProcessModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  const readiness = app.get(ReadinessChecks);
  const ops = config.metricsPort ? await startOpsServer(config, readiness, ['postgres', 'queue', 'smtp']) : undefined;
  NestLogger.log(`worker running; ${ops ? `metrics and health on port ${config.metricsPort}` : 'no metrics port (METRICS_PORT=0)'}`, 'Pledgewatch');

  // SIGTERM/SIGINT: stop the crons, let active jobs finish (SHUTDOWN_TIMEOUT_SECONDS), hand the
  // rest back to the queue, close the pools, exit 0.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    NestLogger.log(`${signal}: stopping`, 'Pledgewatch');
    readiness.markShuttingDown();
    const scheduler = app.get(SchedulerRegistry);
    for (const [, cron] of scheduler.getCronJobs()) void cron.stop();
    for (const name of scheduler.getIntervals()) scheduler.deleteInterval(name);
    const handedBack = await app.get(JobWorkers).drain(config.shutdownTimeoutMs);
    await app.close();
    ops?.close();
    NestLogger.log(`stopped${handedBack ? `; ${handedBack} jobs back in the queue` : ''}`, 'Pledgewatch');
    app.flushLogs?.();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop(signal));
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
