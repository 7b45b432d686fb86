import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

/**
 * OpenAPI decorators over the zod schemas the API already validates with, so request and response
 * shapes are written once (z.toJSONSchema, JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 */

const COMPONENT = (id: string) => `#/components/schemas/${id}`;

/** JSON Schema of a zod schema; schemas with an `id` become $refs to components (collected in openapi.ts). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any', reused: 'inline' }) as Record<string, unknown>;
  const { $schema: _schema, $defs: _defs, ...rest } = json;
  return JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', '"#/components/schemas/')) as Record<string, unknown>;
}

/** A documented answer: `schema` (a response component) as application/json. */
export function ApiAnswer(status: number, schema: z.ZodType, description = 'OK') {
  const id = z.globalRegistry.get(schema)?.id;
  return ApiResponse({ status, description, content: { 'application/json': { schema: id ? { $ref: COMPONENT(id) } : jsonSchemaOf(schema, 'output') } } });
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed: validation_failed (errors names each field), malformed_json, invalid_cursor, …',
  401: 'unauthenticated: no, malformed, unknown or revoked API key',
  403: 'forbidden: the key’s role may not call this route',
  404: 'not_found',
  409: 'Conflict: version_conflict (with currentVersion), slug_taken, …',
  410: 'Gone: token_used, token_expired',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'Semantically invalid: unknown_country, unknown_sector, invalid_dates, …',
  429: 'rate_limited (Retry-After)',
  503: 'A dependency is down (dependency_unavailable, not_ready)',
};

/** The error answers of a route, each application/problem+json. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem', content: { 'application/problem+json': { schema: { $ref: COMPONENT('Problem') } } } }),
    ),
  );
}

/** A JSON request body described by the zod schema that validates it. */
export function ApiJsonBody(schema: z.ZodType, description?: string) {
  return ApiBody({ description, required: true, schema: jsonSchemaOf(schema, 'input') as object });
}

/** One query parameter per field of a strict zod object (the one the handler parses with). */
export function ApiQueryOf(schema: z.ZodObject) {
  const json = jsonSchemaOf(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) =>
      ApiQuery({ name, required: (json.required ?? []).includes(name), schema: property as object, description: property.description as string | undefined }),
    ),
  );
}

/** Admin routes: bearer API key; 401 without one, 403 for a role the route does not allow. */
export function ApiAdmin(summary: string, roles: readonly string[]) {
  return applyDecorators(ApiOperation({ summary, description: `Roles: ${roles.join(', ')}.` }), ApiBearerAuth('apiKey'), ApiProblems(401, 403));
}

/** A document answer that is not JSON (a feed, a calendar, a CSV): its media type, as text. */
export function ApiDocumentAnswer(mediaType: string, description: string, options: { conditional?: boolean } = {}) {
  return applyDecorators(
    ApiResponse({ status: 200, description, content: { [mediaType]: { schema: { type: mediaType === 'application/json' ? 'object' : 'string' } } } }),
    ...(options.conditional ? [ApiResponse({ status: 304, description: 'Not modified (If-None-Match / If-Modified-Since matched)' })] : []),
  );
}
