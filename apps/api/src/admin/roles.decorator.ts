import { SetMetadata } from '@nestjs/common';
import type { Role } from '@pledgewatch/auth';

export const ROLES_KEY = 'pledgewatch:roles';

/**
 * The roles that may call a route (or every route of a controller; a method's list wins over its
 * class's). A route under ApiKeyGuard without @Roles is admin-only: forgetting it fails closed.
 */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** Editors keep the tracker current; admins also manage keys, subscribers and deliveries. */
export const EDITORS = ['admin', 'editor'] as const satisfies readonly Role[];
