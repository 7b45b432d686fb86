import { Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { ConfigError, loadConfig } from '@pledgewatch/config';
import { ReadinessChecks } from '@pledgewatch/observability';
import { createApiApp } from './bootstrap';

async function main() {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.port);
  Logger.log(`API listening on ${config.publicBaseUrl} (port ${config.port})`, 'Pledgewatch');

  // SIGTERM/SIGINT: stop accepting, let requests in flight finish (SHUTDOWN_TIMEOUT_SECONDS), then
  // close the pools (Nest's own close would close them first) and exit 0.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    Logger.log(`${signal}: stopping; no new connections, finishing requests in flight`, 'Pledgewatch');
    app.get(ReadinessChecks).markShuttingDown();
    const server = app.getHttpServer() as Server;
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, config.shutdownTimeoutMs)))]);
    clearTimeout(timer);
    server.closeAllConnections();
    await app.close();
    Logger.log('stopped', 'Pledgewatch');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop(signal));
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
