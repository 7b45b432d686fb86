// postinstall: generate the Prisma client. Prisma 7's CLI checks that a schema engine binary exists
// even for `generate`, which never runs it; these machines cannot download it, so point the check at
// any existing file. The generated client is WebAssembly + driver adapter.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], {
  cwd: path.join(__dirname, '..'),
  env,
  stdio: 'inherit',
});
