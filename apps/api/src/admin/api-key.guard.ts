import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiKeysService, bearerToken, Principal, Role } from '@pledgewatch/auth';
import { ForbiddenError, UnauthenticatedError } from '@pledgewatch/problems';
import { ROLES_KEY } from './roles.decorator';

export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * `Authorization: Bearer <api key>` for the admin API. No or malformed header, unknown or revoked
 * key → 401 `unauthenticated`; a key whose role the route does not allow → 403 `forbidden`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const header = request.headers.authorization;
    if (header === undefined) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="pledgewatch-admin"');
      throw new UnauthenticatedError();
    }
    const token = bearerToken(header);
    if (token === null) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="pledgewatch-admin", error="invalid_request"');
      throw new UnauthenticatedError('The Authorization header must be "Bearer <api key>".');
    }
    const principal = await this.keys.authenticate(token);
    if (!principal) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="pledgewatch-admin", error="invalid_token"');
      throw new UnauthenticatedError('The API key is unknown or revoked.');
    }
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]) ?? ['admin'];
    if (!allowed.includes(principal.role)) {
      throw new ForbiddenError(`This needs the ${allowed.join(' or ')} role; the key "${principal.name}" is ${principal.role}.`);
    }
    request.principal = principal;
    return true;
  }
}
