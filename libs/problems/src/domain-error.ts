/**
 * A failure the product knows by name. Features throw these; the API's one filter maps them to
 * problem+json (RFC 9457) with the stable `code` and the HTTP status given here.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface FieldError {
  /** JSON path of the offending field, e.g. `milestones.0.dueDate`; empty for the body itself. */
  field: string;
  code: string;
  message: string;
}

/** 400: the request is not what the API accepts (wrong type, missing field, unknown field). */
export class ValidationError extends DomainError {
  constructor(readonly errors: FieldError[], message = 'The request has invalid fields.') {
    super('validation_failed', 400, message, { errors });
  }
}

/** 422: well-formed, but refers to something that does not exist or does not add up. */
export class UnprocessableError extends DomainError {
  constructor(code: string, message: string, readonly errors: FieldError[] = []) {
    super(code, 422, message, errors.length ? { errors } : {});
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('not_found', 404, `${what} "${id}" was not found.`);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, 409, message, details);
  }
}

/** 409: the client's If-Match names a version that is no longer current. */
export class VersionConflictError extends ConflictError {
  constructor(expected: number, current: number) {
    super('version_conflict', `The resource is at version ${current}, not ${expected}; reload it and try again.`, {
      currentVersion: current,
    });
  }
}

/** If-Match is optional: with no expected version any version passes; a stale one is a 409. */
export function assertCurrentVersion(expected: number | undefined, current: number): void {
  if (expected !== undefined && expected !== current) throw new VersionConflictError(expected, current);
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'A valid API key is required: Authorization: Bearer <key>.') {
    super('unauthenticated', 401, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', 403, message);
  }
}

export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', 429, `Too many requests; try again in ${retryAfterSeconds} s.`, { retryAfter: retryAfterSeconds });
  }
}

export class DependencyUnavailableError extends DomainError {
  constructor(dependency: string) {
    super('dependency_unavailable', 503, `${dependency} is unavailable; try again shortly.`);
  }
}

/** 415: a body in a format the route does not take (or a body on a route that takes none). */
export class UnsupportedMediaTypeError extends DomainError {
  constructor(message: string) {
    super('unsupported_media_type', 415, message);
  }
}

/** 400: the request cannot be read at all (a body that is not UTF-8, not JSON). */
export class MalformedRequestError extends DomainError {
  constructor(message: string) {
    super('malformed_request', 400, message);
  }
}
