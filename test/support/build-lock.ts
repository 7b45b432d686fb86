import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const LOCK = path.join(os.tmpdir(), `pledgewatch-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);

function holderAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(LOCK, 'pid'), 'utf8'));
  } catch {
    // Just taken (the pid not written yet), or gone already.
    try {
      return Date.now() - statSync(LOCK).mtimeMs < 5_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `work` while no other test file of this checkout builds dist/ (`npm run build`) or starts
 * processes from it: two builds at once would let a process load a half-written file. A lock left
 * by a test process that died is taken over.
 */
export async function withBuildLock<T>(work: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      break;
    } catch {
      if (!holderAlive()) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > until) throw new Error(`waited ${timeoutMs / 1000} s for the build lock ${LOCK}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
