import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig, loadConfig } from '@pledgewatch/config';
import { ApiModule } from './api.module';
import { applyInputBoundary } from './http/input-boundary';
import { ProblemFilter } from './http/problem.filter';
import { applySecurityHeaders } from './http/security-headers';

/** Builds the HTTP app; main.ts listens on it, e2e tests drive it with supertest. */
export async function createApiApp(config: AppConfig = loadConfig()): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    // The input boundary checks the bytes of a body are UTF-8 (http/input-boundary.ts).
    rawBody: true,
    logger: config.logLevels,
  });
  app.set('trust proxy', 'loopback');
  applySecurityHeaders(app);
  applyInputBoundary(app, config);
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  return app;
}
