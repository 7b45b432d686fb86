/**
 * The floor for bench:pages: a Nest app with the API's platform (Express) and one route that
 * answers a constant HTML body of BARE_BYTES bytes. No database, no template, no cache.
 *
 *   BARE_BYTES=24000 PORT=3999 tsx bench/support/bare-html-server.ts
 */
import 'reflect-metadata';
import { Controller, Get, Header, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

const BYTES = Number(process.env.BARE_BYTES ?? 20_000);
const BODY = `<!doctype html><html lang="en"><head><title>bare</title></head><body><p>${'x'.repeat(Math.max(0, BYTES - 80))}</p></body></html>`;

@Controller()
class BareController {
  @Get('bare')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=60')
  bare() {
    return BODY;
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main() {
  const app = await NestFactory.create(BareModule, { logger: ['error'] });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  console.log('ready');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
