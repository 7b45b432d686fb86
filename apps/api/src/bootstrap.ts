import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig, loadConfig } from '@pledgewatch/config';
import { ApiModule } from './api.module';
import { ProblemFilter } from './http/problem.filter';

/**
 * Builds the HTTP app; main.ts listens on it, e2e tests drive it with supertest. `extraModules`
 * are added beside the app's own (bench:api's bare route); production passes none.
 */
export async function createApiApp(config: AppConfig = loadConfig(), extraModules: Type[] = []): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config, extraModules), {
    bodyParser: false,
    logger: config.logLevels,
  });
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  app.useBodyParser('json', { limit: config.bodyLimit, type: ['application/json', 'application/*+json'] });
  app.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: false });
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  return app;
}
