import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Actor } from '@pledgewatch/audit';
import type { AuthenticatedRequest } from './api-key.guard';

/** The caller as the audit trail and events name it (set by ApiKeyGuard). */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentActor used on a route without ApiKeyGuard');
  return { name: principal.name, apiKeyId: principal.id };
});
