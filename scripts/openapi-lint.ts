/**
 * `npm run lint:openapi`: the OpenAPI document under Redocly's `recommended` ruleset (the rules of
 * `redocly lint`, run in-process and offline). The document is generated from the API app exactly
 * as `/openapi.json` serves it; the app is built but never listens, and nothing connects to a
 * database, a queue or an SMTP server. Any error or warning fails it.
 */
import 'reflect-metadata';
import { Writable } from 'node:stream';
import { createConfig, formatProblems, getTotals, lintFromString } from '@redocly/openapi-core';
import { loadConfig } from '@pledgewatch/config';
import { createApiApp } from '../apps/api/src/bootstrap';
import { buildOpenApiDocument } from '../apps/api/src/ops/openapi';

async function main(): Promise<number> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'error', PUBLIC_CACHE_ENTRIES: '0' });
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const app = await createApiApp(config, { logDestination: silent });
  const document = buildOpenApiDocument(app);
  const problems = await lintFromString({
    source: JSON.stringify(document),
    absoluteRef: 'openapi.json',
    config: await createConfig({ extends: ['recommended'] }),
  });
  const totals = getTotals(problems);
  if (problems.length) formatProblems(problems, { format: 'codeframe', totals, command: 'lint' });
  console.log(`openapi.json (${Object.keys(document.paths).length} paths): ${totals.errors} errors, ${totals.warnings} warnings (Redocly recommended)`);
  return totals.errors + totals.warnings > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
