import { CallHandler, createParamDecorator, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';
import { ValidationError } from '@pledgewatch/problems';

/**
 * The version an `If-Match` header names: a bare integer (`3`) or the ETag this API sends (`"3"`,
 * or weak `W/"3"`). Absent or `*` → undefined (no precondition). Anything else is a 400.
 */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*') return undefined;
  const match = /^(?:W\/)?"?([1-9][0-9]{0,9})"?$/.exec(value);
  const quoted = value.replace(/^W\//, '');
  const balanced = quoted.startsWith('"') === quoted.endsWith('"');
  if (!match || !balanced || Number(match[1]) > 2_147_483_647) {
    throw new ValidationError(
      [{ field: 'If-Match', code: 'invalid_if_match', message: 'If-Match must be one version: 3, "3" or W/"3".' }],
      'The If-Match header is not a version.',
    );
  }
  return Number(match[1]);
}

/** The strong ETag for a version. */
export const etag = (version: number) => `"${version}"`;

/** `@IfMatch() expected: number | undefined` — the parsed If-Match header. */
export const IfMatch = createParamDecorator((_: unknown, context: ExecutionContext) =>
  parseIfMatch(context.switchToHttp().getRequest<Request>().headers['if-match']),
);

/**
 * Answers an editor write's `{ view, version }` as the view, with the new version as its ETag.
 * Handlers that answer anything else (an archive's 204) pass through untouched.
 */
@Injectable()
export class VersionedViewInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((result: unknown) => {
        if (!isVersioned(result)) return result;
        context.switchToHttp().getResponse<Response>().setHeader('ETag', etag(result.version));
        return result.view;
      }),
    );
  }
}

function isVersioned(result: unknown): result is { view: unknown; version: number } {
  return typeof result === 'object' && result !== null && 'view' in result && typeof (result as { version?: unknown }).version === 'number';
}
