import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import * as responses from '../http/response-schemas';

/** Every response schema with an id, as components; their nested ids become $refs among them. */
function responseComponents(): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  for (const schema of Object.values(responses)) {
    if (!(schema instanceof z.ZodType)) continue;
    const id = z.globalRegistry.get(schema)?.id;
    if (!id) continue;
    const json = z.toJSONSchema(schema, { io: 'output', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown> & { $defs?: Record<string, unknown> };
    const { $schema: _schema, $defs = {}, ...root } = json;
    // A schema with an id may come back as a $ref to its own entry in $defs.
    const own = $defs[id] ?? root;
    for (const [name, def] of Object.entries({ ...$defs, [id]: own })) components[name] ??= JSON.parse(JSON.stringify(def).replaceAll('"#/$defs/', '"#/components/schemas/'));
  }
  return components;
}

/** Only the components the paths reach, directly or through other components. */
function reachableComponents(paths: unknown, schemas: Record<string, object>): Record<string, object> {
  const kept: Record<string, object> = {};
  const visit = (node: unknown) => {
    for (const [, name] of JSON.stringify(node).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (kept[name] || !schemas[name]) continue;
      kept[name] = schemas[name];
      visit(schemas[name]);
    }
  };
  visit(paths);
  return kept;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The OpenAPI 3.1 document, generated from the controllers' routes and decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Pledgewatch API')
    .setDescription('Summit commitments as trackable workstreams, their milestones, the change log, subscriptions, and the editors’ admin API. Errors are application/problem+json with a stable code.')
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    // Relative: the document is served by the API it describes, wherever that is deployed.
    .addServer('/', 'The server this document is served from')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key (admin or editor role)' }, 'apiKey')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when the deployment sets one' }, 'metricsToken')
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
  // package.json's "UNLICENSED": no public licence; an SPDX reference for a proprietary one says so.
  document.info.license = { name: 'Proprietary (UNLICENSED)', identifier: 'LicenseRef-Proprietary' } as OpenAPIObject['info']['license'];
  document.components = {
    ...document.components,
    schemas: reachableComponents(document.paths, { ...document.components?.schemas, ...(responseComponents() as Record<string, object>) }),
  };
  // An operation that declares no security is public, and says so: an explicit empty requirement.
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation && !operation.security) operation.security = [];
    }
  }
  return document;
}

/** `/openapi.json` and the browsable `/docs`. */
export function setupOpenApi(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup('docs', app, () => (document ??= buildOpenApiDocument(app)), {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
    customSiteTitle: 'Pledgewatch API',
  });
}
