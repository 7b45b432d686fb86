/**
 * Operator commands, run against DATABASE_URL:
 *
 *   npm run cli -- keys:create --name <name> --role editor|admin   prints the new key, once
 *   npm run cli -- keys:list [--json]
 *   npm run cli -- keys:revoke <id|prefix>
 */
import { config as loadDotenv } from 'dotenv';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { AuditService } from '@pledgewatch/audit';
import { ApiKeysRepository, ApiKeysService, ApiKeyView } from '@pledgewatch/auth';
import { ConfigError, loadConfig } from '@pledgewatch/config';
import { PrismaService } from '@pledgewatch/database';
import { DomainError } from '@pledgewatch/problems';

loadDotenv({ quiet: true });

const USAGE = `Usage:
  npm run cli -- keys:create --name <name> --role editor|admin
  npm run cli -- keys:list [--json]
  npm run cli -- keys:revoke <id|prefix>`;

class UsageError extends Error {}

/** The audit trail names the operator's OS account for keys made from a shell. */
function cliActor() {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return { name: `cli:${user}`, apiKeyId: null };
}

function table(keys: ApiKeyView[]): string {
  const rows = [
    ['ID', 'PREFIX', 'ROLE', 'NAME', 'CREATED', 'LAST USED', 'REVOKED'],
    ...keys.map((k) => [k.id, k.prefix, k.role, k.name, k.createdAt, k.lastUsedAt ?? '-', k.revokedAt ?? '-']),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}

async function run(argv: string[], keys: () => ApiKeysService): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'keys:create': {
      const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, role: { type: 'string' } }, strict: true });
      if (!values.name || !values.role) throw new UsageError('keys:create needs --name and --role.');
      const created = await keys().create({ name: values.name, role: values.role }, cliActor());
      console.log(`Created ${created.role} key "${created.name}" (id ${created.id}, prefix ${created.prefix}).`);
      console.log('The key is shown this once; store it now:');
      console.log(created.key);
      return;
    }
    case 'keys:list': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: true });
      const list = await keys().list();
      console.log(values.json ? JSON.stringify(list, null, 2) : list.length ? table(list) : 'No API keys yet.');
      return;
    }
    case 'keys:revoke': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true });
      if (positionals.length !== 1) throw new UsageError('keys:revoke needs one id or prefix.');
      const revoked = await keys().revoke(positionals[0], cliActor());
      console.log(`Revoked ${revoked.role} key "${revoked.name}" (id ${revoked.id}, prefix ${revoked.prefix}) at ${revoked.revokedAt}.`);
      return;
    }
    default:
      throw new UsageError(command ? `Unknown command "${command}".` : 'No command given.');
  }
}

async function main(): Promise<number> {
  let prisma: PrismaService | undefined;
  const keys = () => {
    const config = loadConfig();
    prisma = new PrismaService(config);
    return new ApiKeysService(new ApiKeysRepository(prisma), new AuditService(), config);
  };
  try {
    await run(process.argv.slice(2), keys);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    if (error instanceof DomainError) {
      const details = 'errors' in error.details ? error.details.errors : undefined;
      console.error(`${error.message}${details ? `\n${JSON.stringify(details, null, 2)}` : ''}`);
      return 1;
    }
    throw error;
  } finally {
    await prisma?.$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
