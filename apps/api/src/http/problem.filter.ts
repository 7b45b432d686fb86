import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { DomainError } from '@pledgewatch/problems';
import { allowedMethods } from './allowed-methods';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

interface Problem {
  status: number;
  code: string;
  detail: string;
  extra?: Record<string, unknown>;
}

/**
 * body-parser's failures, by their `type`; Nest hands them over wrapped in an HttpException whose
 * `cause` is body-parser's error.
 */
function fromBodyParser(error: unknown): Problem | undefined {
  const source = (error instanceof HttpException ? error.cause : error) as { type?: string } | undefined;
  switch (source?.type) {
    case 'entity.too.large':
      return { status: 413, code: 'payload_too_large', detail: 'The request body is larger than the API accepts.' };
    case 'entity.parse.failed':
      return { status: 400, code: 'malformed_request', detail: 'The request body is not valid JSON.' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, code: 'unsupported_media_type', detail: 'Send the body as UTF-8, without a Content-Encoding other than gzip, deflate or br.' };
    default:
      return undefined;
  }
}

/** The request's path, never its query: links carry tokens there, and an error body must not echo them. */
export function problemInstance(request: Request): string {
  const url = request.originalUrl ?? request.url ?? '';
  const end = url.indexOf('?');
  return end < 0 ? url : url.slice(0, end);
}

/** Postgres / Prisma errors that mean "a dependency is down", not "the request was bad". */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return ['ECONNREFUSED', 'ETIMEDOUT', '57P01', '57P03', '53300', 'P1001', 'P1002', 'P1017'].includes(code) ||
    /Can't reach database|Connection terminated|ECONNREFUSED/.test(String((error as Error)?.message));
}

/** The one place that turns errors into application/problem+json (RFC 9457). */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    let problem = this.toProblem(error);
    if (problem.code === 'not_found' && !(error instanceof DomainError)) {
      // No route for this method; if the path has routes for others, that is a 405 naming them.
      const allow = allowedMethods(request);
      if (allow.length) {
        response.setHeader('Allow', allow.join(', '));
        problem = { status: 405, code: 'method_not_allowed', detail: `This route accepts ${allow.join(', ')}.` };
      }
    }
    if (error instanceof DomainError && error.code === 'rate_limited') {
      response.setHeader('Retry-After', String(error.details.retryAfter));
    }
    response
      .status(problem.status)
      .type('application/problem+json')
      .json({
        type: `about:blank`,
        title: TITLES[problem.status] ?? 'Error',
        status: problem.status,
        code: problem.code,
        detail: problem.detail,
        instance: problemInstance(request),
        ...problem.extra,
        // The id of this request's log line and X-Request-Id header (assigned before anything can fail).
        requestId: (request as { id?: unknown }).id,
      });
  }

  private toProblem(error: unknown): Problem {
    if (error instanceof DomainError) {
      return { status: error.status, code: error.code, detail: error.message, extra: error.details };
    }
    const bodyParser = fromBodyParser(error);
    if (bodyParser) return bodyParser;
    if (error instanceof HttpException) {
      const status = error.getStatus();
      if (status < 500) {
        // The API throws DomainErrors; HttpExceptions come from the framework itself (routing, body parsing).
        const known: Record<number, [string, string]> = {
          // The framework's own message can quote the URL (a path segment that is not valid percent-encoding).
          400: ['malformed_request', 'The request could not be read: its URL or body is malformed.'],
          404: ['not_found', 'No such route.'],
          405: ['method_not_allowed', 'This route does not accept that method.'],
          413: ['payload_too_large', 'The request body is larger than the API accepts.'],
          415: ['unsupported_media_type', 'Send the body as application/json.'],
        };
        const [code, detail] = known[status] ?? [`http_${status}`, error.message];
        return { status, code, detail };
      }
    }
    if (isUnavailable(error)) {
      this.logger.warn(`dependency unavailable: ${(error as Error).message}`);
      return { status: 503, code: 'dependency_unavailable', detail: 'A dependency is unavailable; try again shortly.' };
    }
    const errorId = randomUUID();
    this.logger.error(`error ${errorId}: ${(error as Error)?.stack ?? String(error)}`);
    return { status: 500, code: 'internal_error', detail: 'Something went wrong on our side.', extra: { errorId } };
  }
}
