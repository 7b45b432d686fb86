import { createServer, Server } from 'node:http';
import { ConfigError, type AppConfig } from '@pledgewatch/config';
import type { ReadinessChecks, ReadinessPart } from './health';
import { metricsAuthorized, renderMetrics } from './metrics-endpoint';

/**
 * The worker has no HTTP API: this small server on METRICS_PORT answers /metrics,
 * /health/live and /health/ready (PostgreSQL, the queue backend and the SMTP server).
 */
export function startOpsServer(config: AppConfig, readiness: ReadinessChecks, parts: ReadinessPart[], port = config.metricsPort): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': status >= 400 && path !== '/health/ready' ? 'application/problem+json' : 'application/json' });
      res.end(JSON.stringify(body));
    };
    void (async () => {
      if (req.method !== 'GET') return json(405, { status: 405, code: 'method_not_allowed', title: 'Method Not Allowed' });
      if (path === '/metrics') {
        if (!metricsAuthorized(req.headers.authorization, config.metricsToken)) {
          res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
          return json(401, { status: 401, code: 'unauthenticated', title: 'Unauthorized', detail: 'Authorization: Bearer <METRICS_TOKEN> is required.' });
        }
        const { contentType, body } = await renderMetrics();
        res.writeHead(200, { 'content-type': contentType });
        return res.end(body);
      }
      if (path === '/health/live') return json(200, { status: 'ok' });
      if (path === '/health/ready') {
        const result = await readiness.ready(parts);
        return json(result.ready ? 200 : 503, result.ready ? result.report : { ...(result.report as object), down: result.down });
      }
      return json(404, { status: 404, code: 'not_found', title: 'Not Found' });
    })().catch((error: Error) => json(500, { status: 500, code: 'internal_error', detail: error.message }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      // The worker's start then says which variable to change, not EADDRINUSE with a stack.
      reject(error.code === 'EADDRINUSE' ? new ConfigError([`METRICS_PORT: port ${port} is already in use; choose a free one, or 0 for none`]) : error),
    );
    server.listen(port, () => resolve(server));
  });
}
