import type { INestApplication } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response } from 'express';
import { ApiKeysService } from '@pledgewatch/auth';
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

/** Bull Board over every queue of the catalog, at /admin/queues, admins only. */
export function mountQueueDashboard(app: INestApplication): void {
  const jobs = app.get(JobQueues);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(jobs.queue(name))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Pledgewatch queues' } },
  });
  app.use(QUEUE_DASHBOARD_PATH, adminBasicAuth(app.get(ApiKeysService)), serverAdapter.getRouter());
}
