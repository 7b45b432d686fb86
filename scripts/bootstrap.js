// `npm start` and `npm test` land here, possibly before node_modules exists, so this file is plain
// CommonJS with no dependencies. It installs what is missing, then hands over to scripts/run.ts.
//
//   node scripts/bootstrap.js start|test|cli [...args]
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { watchParent } = require('./orphan-watchdog');

const ROOT = path.join(__dirname, '..');
const LOCKFILE = path.join(ROOT, 'package-lock.json');
// npm writes this hidden lockfile last on every install, so it is newer than package-lock.json
// exactly when node_modules was installed from the current lockfile.
const INSTALLED_MARKER = path.join(ROOT, 'node_modules', '.package-lock.json');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

function needsInstall() {
  const installed = mtime(INSTALLED_MARKER);
  if (installed === null || !fs.existsSync(TSX)) return true;
  const locked = mtime(LOCKFILE);
  return locked !== null && locked > installed;
}

/** npm as the user invoked it (npm_execpath under `npm start`), else the one on PATH. */
function npm(args) {
  const execPath = process.env.npm_execpath;
  if (execPath && /\.c?js$/.test(execPath)) return spawnSync(process.execPath, [execPath, ...args], { cwd: ROOT, stdio: 'inherit' });
  return spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
}

function install() {
  const args = fs.existsSync(LOCKFILE) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  console.log(`[pledgewatch] installing dependencies: npm ${args[0]} …`);
  const result = npm(args);
  if (result.error || result.status !== 0) {
    console.error(`[pledgewatch] npm ${args[0]} failed${result.error ? `: ${result.error.message}` : ''}`);
    process.exit(result.status || 1);
  }
}

function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'start' && command !== 'test' && command !== 'cli') {
    console.error('usage: node scripts/bootstrap.js start|test|cli [...args]');
    process.exit(2);
  }
  if (needsInstall()) install();

  const child = spawn(TSX, [path.join('scripts', 'run.ts'), command, ...rest], {
    cwd: ROOT,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  // A terminal's Ctrl-C reaches the whole foreground process group; a signal sent to npm alone
  // (a supervisor's SIGTERM) is forwarded by npm to us. Either way run.ts decides how to stop,
  // so pass the signal on and wait for its exit code rather than dying first.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal);
    });
  }
  // npm runs us through `sh -c`; when npm itself is told to stop, the shell dies and leaves us
  // orphaned without a signal. Notice the new parent and stop as if we had been sent SIGTERM.
  watchParent(() => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  child.on('error', (error) => {
    console.error(`[pledgewatch] could not run ${TSX}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (signal ? require('node:os').constants.signals[signal] ?? 0 : 1));
  });
}

main();
