import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig, loadConfig } from '@pledgewatch/config';
import { ApiModule } from './api.module';
import { applyInputBoundary } from './http/input-boundary';
import { ProblemFilter } from './http/problem.filter';
import { applySecurityHeaders } from './http/security-headers';

/**
 * Builds the HTTP app; main.ts listens on it, e2e tests drive it with supertest. `extraModules`
 * are added beside the app's own (bench:api's bare route); production passes none.
 */
export async function createApiApp(config: AppConfig = loadConfig(), extraModules: Type[] = []): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config, extraModules), {
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
