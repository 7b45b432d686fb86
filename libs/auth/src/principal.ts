import type { ApiKeyRole } from '@pledgewatch/database';

export const API_KEY_ROLES = ['admin', 'editor'] as const satisfies readonly ApiKeyRole[];
export type Role = ApiKeyRole;

/** The name the `ADMIN_API_KEY` bootstrap key acts under (reserved: no stored key may use it). */
export const BOOTSTRAP_PRINCIPAL_NAME = 'bootstrap';

/** Who is calling the admin API. A class, not an interface: it appears in decorated signatures. */
export class Principal {
  constructor(
    /** The ApiKey row's id; null for the bootstrap key, which is not stored. */
    readonly id: string | null,
    readonly name: string,
    readonly role: Role,
  ) {}
}
