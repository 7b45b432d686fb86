import type { Request } from 'express';
import { METHODS } from 'node:http';

interface RouteLayer {
  route?: { _methods(): string[] };
  match(path: string): unknown;
}

/**
 * The methods the app's route table has for this path, from Express's own router (every route,
 * API and pages alike): empty when no route has the path at all. What a 405's `Allow` header lists.
 */
export function allowedMethods(request: Request): string[] {
  const stack = (request.app as unknown as { router?: { stack?: RouteLayer[] } }).router?.stack ?? [];
  const methods = new Set<string>();
  for (const layer of stack) {
    if (!layer.route || !layer.match(request.path)) continue;
    const own = layer.route._methods().filter((method) => method !== '*');
    // Every method at once is middleware Nest mounts as a route (`{/*splat}`), not a route's own set.
    if (own.length >= METHODS.length) continue;
    for (const method of own) methods.add(method);
  }
  return [...methods].sort();
}
