import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { execFileSync } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument } from '../../apps/api/src/ops/openapi';

export interface RegisteredRoute {
  method: string;
  /** OpenAPI form: `/v1/workstreams/{slug}`. */
  path: string;
  where: string;
}

const EXCLUDED_CONTROLLER = 'swagger/apiExcludeController';
const EXCLUDED_ENDPOINT = 'swagger/apiExcludeEndpoint';

const join = (...parts: string[]) => `/${parts.flatMap((p) => p.split('/')).filter(Boolean).join('/')}`;
const toOpenApiPath = (route: string) => route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * Every route Nest registered, from its own container (controllers' path and method metadata),
 * less those a controller excludes from the API description on purpose (@ApiExcludeController /
 * @ApiExcludeEndpoint: HTML pages).
 */
export function registeredRoutes(app: INestApplication): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller || Reflect.getMetadata(EXCLUDED_CONTROLLER, controller)?.[0] === true) continue;
      const bases = [Reflect.getMetadata(PATH_METADATA, controller) ?? '/'].flat() as string[];
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        if (Reflect.getMetadata(EXCLUDED_ENDPOINT, handler)?.disable) continue;
        const paths = [Reflect.getMetadata(PATH_METADATA, handler) ?? '/'].flat() as string[];
        for (const base of bases) {
          for (const sub of paths) {
            routes.push({ method: RequestMethod[method].toLowerCase(), path: toOpenApiPath(join(base, sub)), where: `${controller.name}.${name}` });
          }
        }
      }
    }
  }
  return routes;
}

/** The routes Nest registered that the OpenAPI document does not describe, as "GET /path (Class.method)". */
export function undocumentedRoutes(app: INestApplication, document: OpenAPIObject): string[] {
  return registeredRoutes(app)
    .filter((route) => !(document.paths[route.path] as Record<string, unknown> | undefined)?.[route.method])
    .map((route) => `${route.method.toUpperCase()} ${route.path} (${route.where})`);
}

/** Validates an OpenAPI document with @seriousme/openapi-schema-validator (ESM: run by node itself). */
export function validateOpenApiDocument(document: OpenAPIObject): { valid: boolean; errors?: unknown } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pw-openapi-'));
  try {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const script = `import { Validator } from '@seriousme/openapi-schema-validator';
      const result = await new Validator().validate(${JSON.stringify(file)});
      process.stdout.write(JSON.stringify(result));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    return JSON.parse(out) as { valid: boolean; errors?: unknown };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type ExpressRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string; method: string };

/**
 * Checks every JSON answer the app gives against the schema the OpenAPI document declares for its
 * route, method and status. Hooked under supertest at the HTTP server, so an e2e spec's requests
 * are checked as they are; `violations` names each mismatch.
 */
export class ResponseContract {
  readonly violations: string[] = [];
  private checked = 0;
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenAPIObject) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi.json', components: rebase(document.components ?? {}) });
  }

  static attach(app: INestApplication): ResponseContract {
    const contract = new ResponseContract(buildOpenApiDocument(app));
    (app.getHttpServer() as import('node:http').Server).prependListener('request', (req: ExpressRequest, res: ServerResponse) => contract.capture(req, res));
    return contract;
  }

  get count(): number {
    return this.checked;
  }

  private capture(req: ExpressRequest, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk) chunks.push(Buffer.from(chunk as string));
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as string));
      return end(chunk, ...rest);
    }) as typeof res.end;
    res.once('finish', () => this.check(req, res, Buffer.concat(chunks).toString('utf8')));
  }

  private check(req: ExpressRequest, res: ServerResponse, body: string): void {
    const template = typeof req.route?.path === 'string' ? toOpenApiPath(join(req.baseUrl ?? '', req.route.path)) : null;
    if (!template) return; // no route matched: the 404 of an unknown path
    if (req.method === 'HEAD') return; // a GET without its body: nothing for a schema to check
    const label = `${req.method} ${template} → ${res.statusCode}`;
    const operation = (this.document.paths[template] as Record<string, { responses?: Record<string, { content?: Record<string, { schema?: object }> }> }> | undefined)?.[req.method.toLowerCase()];
    if (!operation) return void this.violations.push(`${label}: route not in the OpenAPI document`);
    // A 5xx is never designed in: it must still be a problem+json.
    const internal: { content?: Record<string, { schema?: object }> } | undefined =
      res.statusCode >= 500 ? { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } } : undefined;
    const response = operation.responses?.[String(res.statusCode)] ?? operation.responses?.default ?? internal;
    if (!response) return void this.violations.push(`${label}: status not documented`);
    const type = String(res.getHeader('content-type') ?? '').split(';')[0].trim();
    if (!type || res.statusCode === 204) return;
    if (!/json$/.test(type)) return; // HTML pages and text: only JSON bodies have schemas to check
    const schema = response.content?.[type]?.schema ?? response.content?.['application/json']?.schema;
    if (!schema) return void this.violations.push(`${label}: no schema for ${type}`);
    const validate = this.validator(`${label} ${type}`, schema);
    this.checked++;
    if (!validate(JSON.parse(body))) this.violations.push(`${label}: ${this.ajv.errorsText(validate.errors, { separator: '; ' })}`);
  }

  private validator(key: string, schema: object): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(schema) as object);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/** `#/components/…` refs point into the document the schema came from; here that is `openapi.json`. */
function rebase(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).replaceAll('"#/components/', '"openapi.json#/components/'));
}
