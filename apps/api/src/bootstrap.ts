import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppConfig, loadConfig } from '@pledgewatch/config';
import { assignRequestId } from '@pledgewatch/observability';
import { ApiModule } from './api.module';
import { applyInputBoundary } from './http/input-boundary';
import { ProblemFilter } from './http/problem.filter';
import { applySecurityHeaders } from './http/security-headers';
import { httpMetrics } from './ops/http-metrics';
import { setupOpenApi } from './ops/openapi';
import { mountQueueDashboard } from './ops/queue-dashboard';
import { setUpPages } from './pages/pages.module';

export interface ApiAppOptions {
  /** Where log lines go (default stdout); tests capture them. */
  logDestination?: DestinationStream;
  /** Added beside the app's own modules: bench:api's bare route only; production passes none. */
  extraModules?: Type[];
}

/** Builds the HTTP app; main.ts listens on it, e2e tests drive it with supertest. */
export async function createApiApp(config: AppConfig = loadConfig(), options: ApiAppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config, options.logDestination, options.extraModules), {
    bodyParser: false,
    // The input boundary checks the bytes of a body are UTF-8 (http/input-boundary.ts).
    rawBody: true,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.set('trust proxy', config.trustProxy);
  // First, so every answer (a body-parser failure too) carries the id its log line and problem have.
  app.use((req: Parameters<typeof assignRequestId>[0], res: Parameters<typeof assignRequestId>[1], next: () => void) => {
    assignRequestId(req, res);
    next();
  });
  app.use(httpMetrics);
  applySecurityHeaders(app);
  applyInputBoundary(app, config);
  app.useGlobalFilters(new ProblemFilter());
  mountQueueDashboard(app);
  setupOpenApi(app);
  setUpPages(app);
  return app;
}
