import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { Actor, AuditService } from '@pledgewatch/audit';
import { AppConfig } from '@pledgewatch/config';
import type { ApiKey } from '@pledgewatch/database';
import { ConflictError, NotFoundError, parse, singleLine } from '@pledgewatch/problems';
import { API_KEY_PATTERN, generateApiKey, hashApiKey, sameSecret } from './api-key';
import { ApiKeysRepository } from './api-keys.repository';
import { API_KEY_ROLES, BOOTSTRAP_PRINCIPAL_NAME, Principal } from './principal';

export const CREATE_API_KEY_SCHEMA = z.strictObject({
  name: singleLine(100).refine((name) => name.toLowerCase() !== BOOTSTRAP_PRINCIPAL_NAME, `"${BOOTSTRAP_PRINCIPAL_NAME}" is reserved for ADMIN_API_KEY`),
  role: z.enum(API_KEY_ROLES),
});
export type CreateApiKeyInput = z.input<typeof CREATE_API_KEY_SCHEMA>;

/** lastUsedAt is a hint for people pruning keys, not a log: one write per key per minute is plenty. */
const LAST_USED_GRANULARITY_MS = 60_000;

export function toApiKeyView(row: ApiKey) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
export type ApiKeyView = ReturnType<typeof toApiKeyView>;

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** Creates a key; the answer is the only place the key itself ever appears. */
  async create(input: unknown, actor: Actor): Promise<ApiKeyView & { key: string }> {
    const { name, role } = parse(CREATE_API_KEY_SCHEMA, input);
    const generated = generateApiKey();
    const row = await this.keys.transaction(async (tx) => {
      const created = await this.keys.insert(tx, { name, role, keyHash: generated.hash, prefix: generated.prefix });
      await this.audit.record(tx, {
        actor: actor.name,
        apiKeyId: actor.apiKeyId,
        action: 'api_key.create',
        entityType: 'api_key',
        entityId: created.id,
        after: toApiKeyView(created),
      });
      return created;
    });
    return { ...toApiKeyView(row), key: generated.key };
  }

  async list(): Promise<ApiKeyView[]> {
    return (await this.keys.list()).map(toApiKeyView);
  }

  /** Revokes by id or display prefix. Revoking a revoked key changes nothing and answers it as it is. */
  async revoke(reference: string, actor: Actor): Promise<ApiKeyView> {
    return this.keys.transaction(async (tx) => {
      const matches = await this.keys.findByReference(tx, reference.trim());
      if (matches.length === 0) throw new NotFoundError('API key', reference);
      if (matches.length > 1) {
        throw new ConflictError('ambiguous_prefix', `${matches.length} keys start with "${reference}"; revoke by id.`, {
          ids: matches.map((m) => m.id),
        });
      }
      const [key] = matches;
      if (key.revokedAt) return toApiKeyView(key);
      const revoked = await this.keys.revoke(tx, key.id, new Date());
      await this.audit.record(tx, {
        actor: actor.name,
        apiKeyId: actor.apiKeyId,
        action: 'api_key.revoke',
        entityType: 'api_key',
        entityId: key.id,
        before: toApiKeyView(key),
        after: toApiKeyView(revoked),
      });
      return toApiKeyView(revoked);
    });
  }

  /** The principal a presented key stands for, or null when it is unknown or revoked. */
  async authenticate(key: string): Promise<Principal | null> {
    const bootstrap = this.config.adminApiKey;
    if (bootstrap && sameSecret(key, bootstrap)) {
      return new Principal(null, BOOTSTRAP_PRINCIPAL_NAME, 'admin');
    }
    if (!API_KEY_PATTERN.test(key)) return null;
    const row = await this.keys.findByHash(hashApiKey(key));
    if (!row || row.revokedAt) return null;
    const now = new Date();
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_GRANULARITY_MS) {
      await this.keys.touch(row.id, now, LAST_USED_GRANULARITY_MS);
    }
    return new Principal(row.id, row.name, row.role);
  }
}
