import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@pledgewatch/config';
import { WorkerModule } from './worker.module';

async function main() {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: config.logLevels });
  app.enableShutdownHooks();
  Logger.log('worker running', 'Pledgewatch');
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
