import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { Controller, Get, Module } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { bootApi } from './support/api';
import { undocumentedRoutes, validateOpenApiDocument } from './support/contract';
import { createTestDatabase, TestDatabase } from './support/database';
import { buildOpenApiDocument } from '../apps/api/src/ops/openapi';

describe('OpenAPI contract', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let document: OpenAPIObject;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await bootApi(db.url);
    document = (await request(app.getHttpServer()).get('/openapi.json').expect(200)).body as OpenAPIObject;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('is OpenAPI 3.1 and valid by the OpenAPI schema', () => {
    expect(document.openapi).toBe('3.1.0');
    const result = validateOpenApiDocument(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every route Nest registered', () => {
    expect(undocumentedRoutes(app, document)).toEqual([]);
    // Sanity: the table really comes from Nest, admin and public routes alike.
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/workstreams', '/v1/workstreams/{slug}', '/v1/admin/milestones/{id}', '/health/ready', '/metrics']));
  });

  it('fails, naming it, when a route is added without documentation', async () => {
    @Controller('v1/undocumented')
    class UndocumentedController {
      @Get(':id')
      find() {
        return {};
      }
    }
    @Module({ controllers: [UndocumentedController] })
    class ExtraModule {}
    const { NestFactory } = await import('@nestjs/core');
    const extra = await NestFactory.create(ExtraModule, { logger: false });
    try {
      expect(undocumentedRoutes(extra, buildOpenApiDocument(app))).toEqual(['GET /v1/undocumented/{id} (UndocumentedController.find)']);
    } finally {
      await extra.close();
    }
  });

  it('documents bearer auth on every admin route, problem+json errors and response schemas', () => {
    expect(document.components?.securitySchemes?.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item as Record<string, { security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> }>)) {
        if (path.startsWith('/v1/admin/')) expect({ route: `${method} ${path}`, security: operation.security }).toEqual({ route: `${method} ${path}`, security: [{ apiKey: [] }] });
        // Public routes say so with an explicit empty requirement (the linters' convention).
        else if (path !== '/metrics') expect({ route: `${method} ${path}`, security: operation.security }).toEqual({ route: `${method} ${path}`, security: [] });
        const statuses = Object.keys(operation.responses);
        expect({ route: `${method} ${path}`, success: statuses.some((s) => s.startsWith('2')) }).toEqual({ route: `${method} ${path}`, success: true });
        for (const status of statuses.filter((s) => Number(s) >= 400)) {
          expect(Object.keys(operation.responses[status].content ?? {})).toEqual(['application/problem+json']);
        }
      }
    }
    const schemas = document.components?.schemas as Record<string, { properties?: Record<string, unknown> }>;
    expect(Object.keys(schemas.WorkstreamPage.properties ?? {})).toEqual(['items', 'nextCursor']);
    expect(Object.keys(schemas.WorkstreamDetail.properties ?? {})).toEqual(expect.arrayContaining(['milestones', 'history']));
    expect(Object.keys(schemas.Problem.properties ?? {})).toEqual(expect.arrayContaining(['code', 'errors', 'requestId']));
  });

  it('serves the browsable page at /docs', async () => {
    const res = await request(app.getHttpServer()).get('/docs').redirects(1).expect(200);
    expect(res.text).toContain('swagger-ui');
  });
});
