import type { INestApplication } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response } from 'express';
import { ApiKeysService } from '@pledgewatch/auth';
import { AppConfig } from '@pledgewatch/config';
import { JobQueues, QUEUE_NAMES } from '@pledgewatch/queue';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

function problem(res: Response, status: 401 | 403, code: string, detail: string): void {
  res.status(status).type('application/problem+json').json({ type: 'about:blank', title: status === 401 ? 'Unauthorized' : 'Forbidden', status, code, detail, requestId: (res.req as { id?: unknown }).id });
}

/**
 * HTTP Basic for browsers: any user name, an admin API key as the password. The same keys,
 * hashes and revocation as the admin API's bearer auth; editors get 403.
 */
function adminBasicAuth(keys: ApiKeysService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
    const password = match ? Buffer.from(match[1], 'base64').toString('utf8').split(':').slice(1).join(':') : '';
    const challenge = () => res.setHeader('WWW-Authenticate', 'Basic realm="Pledgewatch queues", charset="UTF-8"');
    if (!password) {
      challenge();
      return problem(res, 401, 'unauthenticated', 'Sign in with an admin API key as the password (any user name).');
    }
    keys.authenticate(password).then(
      (principal) => {
        if (!principal) {
          challenge();
          return problem(res, 401, 'unauthenticated', 'The API key is unknown or revoked.');
        }
        if (principal.role !== 'admin') return problem(res, 403, 'forbidden', `The queue dashboard needs the admin role; the key "${principal.name}" is ${principal.role}.`);
        next();
      },
      next,
    );
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * Writes that put a job's data in the operator's hands (add a job, edit its data, change a
 * scheduler's template): refused even with QUEUE_DASHBOARD=full, since jobs made there skip the
 * API's rules (POST /v1/admin/checks refuses a real check as of a future date; a job added here would not).
 */
const JOB_DATA_WRITES = /\/api\/queues\/[^/]+\/(add|[^/]+\/update-data|job-schedulers\/[^/]+)$/;

/**
 * The dashboard's one write rule. Read-only unless QUEUE_DASHBOARD=full; with `full`, a write
 * must come from a page of the service's own origin (PUBLIC_BASE_URL): the browser resends cached
 * Basic credentials to any site's cross-origin form or fetch, so the credentials alone prove
 * nothing about who asked (CSRF). Browsers send Origin on every cross-origin and every non-GET
 * fetch; a write without it is refused too.
 */
export function dashboardWriteGuard(config: Pick<AppConfig, 'queueDashboard' | 'publicBaseUrl'>) {
  const ownOrigin = new URL(config.publicBaseUrl).origin;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method)) return next();
    if (config.queueDashboard !== 'full') {
      return problem(res, 403, 'queue_dashboard_read_only', 'The queue dashboard is read-only (QUEUE_DASHBOARD=full allows changes).');
    }
    if (req.headers.origin !== ownOrigin) {
      return problem(res, 403, 'origin_mismatch', `Changes to the queues are accepted only from ${ownOrigin}.`);
    }
    if (JOB_DATA_WRITES.test(req.path)) {
      return problem(res, 403, 'queue_dashboard_job_data', 'Jobs and their data are made through the API, which checks them, not on the dashboard.');
    }
    next();
  };
}

/** Bull Board over every queue of the catalog, at /admin/queues, admins only; read-only unless QUEUE_DASHBOARD=full. */
export function mountQueueDashboard(app: INestApplication): void {
  const jobs = app.get(JobQueues);
  const config = app.get(AppConfig);
  const readOnlyMode = config.queueDashboard !== 'full';
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(jobs.queue(name), { readOnlyMode })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Pledgewatch queues' } },
  });
  app.use(QUEUE_DASHBOARD_PATH, adminBasicAuth(app.get(ApiKeysService)), dashboardWriteGuard(config), serverAdapter.getRouter());
}
