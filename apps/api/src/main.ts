import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@pledgewatch/config';
import { createApiApp } from './bootstrap';

async function main() {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.port);
  Logger.log(`API listening on ${config.publicBaseUrl} (port ${config.port})`, 'Pledgewatch');
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
