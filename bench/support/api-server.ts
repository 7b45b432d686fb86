/**
 * The API as the benchmarks run it: the built app (dist/, the code `npm start` runs, with its
 * filters, body parsers and settings from createApiApp), in a process of its own so that the load
 * generator does not share its event loop, on a free loopback port. Started by api-process.ts.
 *
 * argv: the built bootstrap's path (harness API_BOOTSTRAP), then optionally `--bare`. With `--bare`, this instance alone also answers `GET /v1/bench/bare` (BareRouteModule, passed to
 * createApiApp; production registers nothing of the kind): a constant JSON body set by the parent,
 * no validation, no database — the floor of what a Nest route of this app can answer.
 *
 * Protocol over IPC:
 *   child → { type: 'listening', port }
 *   parent → { type: 'bare-body', body }   child → { type: 'bare-body-set' }
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module } from '@nestjs/common';
import type { createApiApp as CreateApiApp } from '../../apps/api/src/bootstrap';

let bareBody: unknown = {};

@Controller('v1/bench')
class BareController {
  @Get('bare')
  bare() {
    return bareBody;
  }
}

@Module({ controllers: [BareController] })
class BareRouteModule {}

process.on('message', (message: { type: string; body: unknown }) => {
  if (message.type !== 'bare-body') return;
  bareBody = message.body;
  process.send?.({ type: 'bare-body-set' });
});
process.on('disconnect', () => process.exit(0));

async function main() {
  // The built bootstrap loads the built config, so createApiApp's default loadConfig() reads this process's environment.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built app, whose path is known only at run time
  const { createApiApp } = require(process.argv[2]) as { createApiApp: typeof CreateApiApp };
  const app = await createApiApp(undefined, { extraModules: process.argv.includes('--bare') ? [BareRouteModule] : [] });
  await app.listen(0, '127.0.0.1');
  process.send?.({ type: 'listening', port: (app.getHttpServer().address() as AddressInfo).port });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
