import type { NextFunction, Request, Response } from 'express';
import { metrics } from '@pledgewatch/observability';

/**
 * Times every request into http_request_duration_seconds by route template (`/v1/workstreams/:slug`,
 * never the raw path, so label values stay few), method and status.
 */
export function httpMetrics(req: Request, res: Response, next: NextFunction): void {
  const end = metrics.httpDuration.startTimer();
  res.once('finish', () => {
    const template: unknown = (req.route as { path?: unknown } | undefined)?.path;
    const route = typeof template === 'string' ? `${req.baseUrl}${template}` : req.baseUrl || 'unmatched';
    end({ route, method: req.method, status: String(res.statusCode) });
  });
  next();
}
