import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request } from 'express';
import { isUtf8 } from 'node:buffer';
import type { AppConfig } from '@pledgewatch/config';
import { FieldError, MalformedRequestError, textProblem, TextKind, UnsupportedMediaTypeError, ValidationError } from '@pledgewatch/problems';

/**
 * The API's one input boundary, in front of every route (those added later included):
 *
 * - bodies: JSON (`application/json`, `application/*+json`) by default on POST, PUT and PATCH, form
 *   encoding only where a route says so (`@RequestBody('form', …)`), none on GET, HEAD, DELETE and
 *   OPTIONS or where a route says `@NoRequestBody()`; anything else is `415 unsupported_media_type`.
 *   A body must be UTF-8 (`400 malformed_request` otherwise), so nothing arrives as U+FFFD.
 * - every path parameter, raw query value and body string passes the text rules of
 *   `@pledgewatch/problems` (input-rules.ts): valid Unicode, no NUL; path and query values are one
 *   line, body strings may hold tab and line feed (each route's schema narrows its one-line fields).
 *   A bad one is `400 validation_failed` naming it, before any handler, guard or query runs.
 *   Path parameters and query values are at most MAX_URL_VALUE characters.
 * - query parameters are strict everywhere, as bodies are: a handler that takes `@Query()` checks
 *   them with its own schema; one that takes `@Query('token')` takes only those names; one that
 *   takes no `@Query` refuses any (`400 validation_failed`, `unknown_field`). Read the query
 *   through `@Query`, never from `@Req()`, or the route refuses its own parameters.
 */

/**
 * `json` and `form` are parsed (and their strings checked); `multipart` is accepted and never read,
 * for RFC 8058 one-click unsubscribe, whose body carries nothing the route uses.
 */
export type BodyKind = 'json' | 'form' | 'multipart';
const REQUEST_BODY = 'pledgewatch:request-body';

/** The body formats a route takes, e.g. `@RequestBody('form', 'json')` for a page's form that also has a JSON twin. */
export const RequestBody = (...kinds: [BodyKind, ...BodyKind[]]) => SetMetadata(REQUEST_BODY, kinds);
/** A route that takes no body, whatever its method: one sent is refused (415). */
export const NoRequestBody = () => SetMetadata(REQUEST_BODY, []);

const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);
const JSON_TYPES = ['application/json', 'application/*+json'];
const FORM_TYPE = 'application/x-www-form-urlencoded';
const MAX_ERRORS = 20;
/** Longer than any id, slug, cursor, token or search this API takes. */
const MAX_URL_VALUE = 1000;

/** The media type of a Content-Type header, lower-cased, without its parameters. */
function mediaTypeOf(header: string | undefined): string | undefined {
  const type = header?.split(';')[0].trim().toLowerCase();
  return type || undefined;
}

const MEDIA_TYPE_OF_KIND: Record<BodyKind, string> = { json: 'application/json', form: FORM_TYPE, multipart: 'multipart/form-data' };

function isKind(mediaType: string, kind: BodyKind): boolean {
  if (kind !== 'json') return mediaType === MEDIA_TYPE_OF_KIND[kind];
  return mediaType === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(mediaType);
}

/** Bytes were sent (or may be: chunked), as opposed to no body or an empty one. */
function hasBody(request: Request): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(request.headers['content-length'] ?? 0);
  return !Number.isFinite(length) || length > 0;
}

function checkMediaType(request: Request, kinds: readonly BodyKind[]): void {
  const mediaType = mediaTypeOf(request.headers['content-type']);
  if (kinds.length === 0) {
    if (hasBody(request)) throw new UnsupportedMediaTypeError('This route takes no request body.');
    return;
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1].toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaTypeError('Send the body as UTF-8 (charset=utf-8, or no charset).');
  }
  // A Content-Type on a request without a body is refused only when it is one this route never takes.
  if (mediaType === undefined ? !hasBody(request) : kinds.some((kind) => isKind(mediaType, kind))) return;
  const accepted = kinds.map((kind) => MEDIA_TYPE_OF_KIND[kind]).join(' or ');
  throw new UnsupportedMediaTypeError(`Send the body as ${accepted}.`);
}

function push(errors: FieldError[], field: string, value: string, kind: TextKind): void {
  const problem = textProblem(value, kind);
  if (problem && errors.length < MAX_ERRORS) errors.push({ field, code: problem.code, message: `${field || 'The body'} ${problem.message}` });
}

/**
 * Query values as sent: Express's parser turns a malformed escape or invalid UTF-8 (`%ff`) into
 * U+FFFD or leaves it as is, so the raw string is decoded strictly here.
 */
function queryErrors(url: string, allowed: QueryNames, errors: FieldError[]): void {
  const start = url.indexOf('?');
  if (start < 0) return;
  for (const pair of url.slice(start + 1).split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const [rawName, rawValue] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    const name = strictDecode(rawName);
    const field = name !== null && textProblem(name, 'single-line') === null ? name : 'query';
    if (name === null) errors.push({ field: 'query', code: 'invalid_unicode', message: 'A query parameter name is not valid percent-encoded UTF-8.' });
    else push(errors, field, name, 'single-line');
    if (name !== null && allowed !== 'any' && !allowed.has(name) && errors.length < MAX_ERRORS) {
      errors.push({ field, code: 'unknown_field', message: `"${field}" is not a parameter of this route.` });
      continue;
    }
    const value = strictDecode(rawValue);
    if (value === null) errors.push({ field, code: 'invalid_unicode', message: `${field} is not valid percent-encoded UTF-8` });
    else {
      push(errors, field, value, 'single-line');
      tooLong(errors, field, value);
    }
  }
}

function tooLong(errors: FieldError[], field: string, value: string): void {
  if (value.length > MAX_URL_VALUE && errors.length < MAX_ERRORS) {
    errors.push({ field, code: 'too_big', message: `${field} has more than ${MAX_URL_VALUE} characters` });
  }
}

/** `any` when the handler takes the whole query (its schema decides), else the names it reads. */
type QueryNames = 'any' | ReadonlySet<string>;
const queryNamesCache = new WeakMap<object, QueryNames>();

function queryNamesOf(context: ExecutionContext): QueryNames {
  const handler = context.getHandler();
  const cached = queryNamesCache.get(handler);
  if (cached) return cached;
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, { data?: unknown }>;
  const names = new Set<string>();
  let any = false;
  for (const [key, arg] of Object.entries(args)) {
    if (Number(key.split(':')[0]) !== Number(RouteParamtypes.QUERY)) continue;
    if (typeof arg.data === 'string') names.add(arg.data);
    else any = true;
  }
  const result: QueryNames = any ? 'any' : names;
  queryNamesCache.set(handler, result);
  return result;
}

function strictDecode(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** Every string in a parsed body, keys included; iterative, so any depth the parser took is fine. */
function bodyErrors(body: unknown, errors: FieldError[]): void {
  const stack: { value: unknown; path: string }[] = [{ value: body, path: '' }];
  while (stack.length && errors.length < MAX_ERRORS) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') push(errors, path, value, 'multi-line');
    else if (Array.isArray(value)) value.forEach((item, i) => stack.push({ value: item, path: path ? `${path}.${i}` : String(i) }));
    else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const field = path ? `${path}.${key}` : key;
        push(errors, path || 'body', key, 'single-line');
        stack.push({ value: item, path: field });
      }
    }
  }
}

/** The body formats a route takes: its own declaration (method, else controller), else its method's default. */
export function bodyKindsOf(method: string, handler: object, controller: object): readonly BodyKind[] {
  const declared = (Reflect.getMetadata(REQUEST_BODY, handler) ?? Reflect.getMetadata(REQUEST_BODY, controller)) as BodyKind[] | undefined;
  return declared ?? (BODYLESS_METHODS.has(method.toUpperCase()) ? [] : ['json']);
}

@Injectable()
export class InputBoundaryGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    checkMediaType(request, bodyKindsOf(request.method, context.getHandler(), context.getClass()));
    checkEncoding(request);

    const errors: FieldError[] = [];
    for (const [name, value] of Object.entries(request.params ?? {})) {
      if (typeof value !== 'string') continue;
      push(errors, name, value, 'single-line');
      tooLong(errors, name, value);
    }
    queryErrors(request.originalUrl, queryNamesOf(context), errors);
    bodyErrors(request.body, errors);
    if (errors.length) throw new ValidationError(errors, 'The request has invalid text.');
    return true;
  }
}

/**
 * A body is UTF-8, and a form's escapes decode to UTF-8 too: body-parser would otherwise turn
 * invalid bytes into U+FFFD (the app keeps `rawBody` for this, see bootstrap.ts).
 */
function checkEncoding(request: Request & { rawBody?: Buffer }): void {
  const raw = request.rawBody;
  if (!raw?.length) return;
  const form = mediaTypeOf(request.headers['content-type']) === FORM_TYPE;
  if (!isUtf8(raw) || (form && raw.toString('utf8').split(/[&=]/).some((part) => strictDecode(part) === null))) {
    throw new MalformedRequestError('The request body is not valid UTF-8.');
  }
}

/** Body parsers, the query parser and the guard; bootstrap.ts calls this once, on an app created with `rawBody: true`. */
export function applyInputBoundary(app: NestExpressApplication, config: AppConfig): void {
  // A repeated parameter stays an array (and is refused by the route's schema): no nested objects.
  app.set('query parser', 'simple');
  app.useBodyParser('json', { limit: config.bodyLimit, type: JSON_TYPES });
  app.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: false });
  app.useGlobalGuards(new InputBoundaryGuard());
}
