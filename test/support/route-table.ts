import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { BodyKind, bodyKindsOf } from '../../apps/api/src/http/input-boundary';

export interface Route {
  method: string;
  /** Express style: `/v1/admin/workstreams/:id`. */
  path: string;
  /** `GET /v1/workstreams/:slug`. */
  key: string;
  params: string[];
  bodyKinds: readonly BodyKind[];
}

const join = (...parts: string[]) => `/${parts.flatMap((part) => part.split('/')).filter(Boolean).join('/')}`;
const asList = (value: unknown): string[] => (Array.isArray(value) ? value : [value ?? '']).map(String);

/**
 * Every route the booted app registered, read from Nest's own metadata (so a route another
 * module adds later is in it without a change here), with the body formats the input boundary
 * lets it take.
 */
export function routeTable(app: INestApplication): Route[] {
  const routes = new Map<string, Route>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as { prototype: Record<string, unknown> } | null;
      if (!controller) continue;
      for (const base of asList(Reflect.getMetadata(PATH_METADATA, controller))) {
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          if (requestMethod === undefined) continue;
          const method = RequestMethod[requestMethod];
          for (const sub of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
            const path = join(base, sub);
            const key = `${method} ${path}`;
            const params = [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
            routes.set(key, { method, path, key, params, bodyKinds: bodyKindsOf(method, handler, controller) });
          }
        }
      }
    }
  }
  return [...routes.values()].sort((a, b) => a.key.localeCompare(b.key));
}
