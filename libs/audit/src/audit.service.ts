import { Injectable } from '@nestjs/common';
import { Prisma } from '@pledgewatch/database';

/** Who made a change: the API key's name, and its id (null for the bootstrap key and the CLI). */
export interface Actor {
  name: string;
  apiKeyId: string | null;
}

export interface AuditRecord {
  actor: string;
  apiKeyId?: string | null;
  /** What was done, `<entity>.<verb>`: `workstream.create`, `milestone.update`, `api_key.revoke` … */
  action: string;
  entityType: string;
  entityId: string;
  /** The entity's JSON view before the change; null for creations. */
  before?: unknown;
  /** The entity's JSON view after the change; null for deletions. */
  after?: unknown;
}

/** Dates become ISO strings, undefined disappears: what a JSON column can hold. */
function toJson(value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  if (value === undefined || value === null) return Prisma.DbNull;
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}

function toRow(record: AuditRecord, at: Date): Prisma.AuditEntryCreateManyInput {
  return {
    actor: record.actor,
    apiKeyId: record.apiKeyId ?? null,
    action: record.action,
    entityType: record.entityType,
    entityId: record.entityId,
    before: toJson(record.before),
    after: toJson(record.after),
    at,
  };
}

/**
 * The audit trail. Always written inside the caller's transaction, so a change and its audit entry
 * commit together or not at all.
 */
@Injectable()
export class AuditService {
  async record(tx: Prisma.TransactionClient, record: AuditRecord, at: Date = new Date()): Promise<void> {
    await tx.auditEntry.create({ data: toRow(record, at) });
  }

  /** Many entries in one statement (bulk import). */
  async recordMany(tx: Prisma.TransactionClient, records: AuditRecord[], at: Date = new Date()): Promise<void> {
    if (records.length === 0) return;
    await tx.auditEntry.createMany({ data: records.map((r) => toRow(r, at)) });
  }
}
