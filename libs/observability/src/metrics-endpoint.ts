import { timingSafeEqual } from 'node:crypto';
import { registry } from './metrics';

/** With METRICS_TOKEN set, only `Authorization: Bearer <token>` may scrape. */
export function metricsAuthorized(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** The registry in Prometheus text exposition format, gauges refreshed by their collectors. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
