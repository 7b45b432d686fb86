import { isUuid } from '@pledgewatch/problems';
import { Prisma } from './generated/client';

/**
 * A workstream is named in URLs and filters by its slug or by its id; a slug never looks like an
 * id (the editors' input refuses one), so either names one workstream. The one rule, in both
 * forms the queries use: SQL over a table alias, and a Prisma `where`.
 */
export function workstreamReferenceSql(alias: string, references: readonly string[]): Prisma.Sql {
  const table = Prisma.raw(`"${alias}"`);
  const ids = references.filter(isUuid).map((id) => Prisma.sql`${id.toLowerCase()}::uuid`);
  const bySlug = Prisma.sql`${table}.slug IN (${Prisma.join(references)})`;
  return ids.length ? Prisma.sql`(${bySlug} OR ${table}.id IN (${Prisma.join(ids)}))` : bySlug;
}

/** The same rule as a Prisma `where` on a workstream. */
export function workstreamReferenceWhere(references: readonly string[]): Prisma.WorkstreamWhereInput {
  const ids = references.filter(isUuid).map((id) => id.toLowerCase());
  return { OR: [{ slug: { in: [...references] } }, ...(ids.length ? [{ id: { in: ids } }] : [])] };
}
