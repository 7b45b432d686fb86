// `node -r ./scripts/swc-register.js file.ts`: TypeScript through SWC with decorator metadata, as
// Jest runs it (jest.config.js) and `nest build` compiles it. tsx (esbuild) emits no decorator
// metadata, so Nest's injection and @nestjs/swagger's inferred types need this to boot the app.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const ROOT = path.join(__dirname, '..');
const OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

// `@pledgewatch/<lib>` is libs/<lib>/src (tsconfig.json's paths).
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const match = /^@pledgewatch\/([a-z-]+)$/.exec(request);
  return resolveFilename.call(this, match ? path.join(ROOT, 'libs', match[1], 'src') : request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...OPTIONS, filename });
  module._compile(code, filename);
};
