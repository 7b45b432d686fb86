import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Validators } from '@pledgewatch/feeds';

const logger = new Logger('Downloads');

/** The request's query string as the client sent it (`?…` or ''), for a feed's self link. */
export function queryStringOf(req: Request): string {
  const at = req.originalUrl.indexOf('?');
  return at < 0 || at === req.originalUrl.length - 1 ? '' : req.originalUrl.slice(at);
}

/**
 * Sets the validators and answers `304 Not Modified` when the client's copy is current
 * (If-None-Match, else If-Modified-Since, as Express's `req.fresh` decides). True when it did.
 */
export function notModified(req: Request, res: Response, validators: Validators, contentType: string): boolean {
  res.setHeader('Content-Type', contentType);
  res.setHeader('ETag', validators.etag);
  if (validators.lastModified) res.setHeader('Last-Modified', validators.lastModified.toUTCString());
  // Readers and calendars poll: let them revalidate cheaply, and shared caches keep it briefly.
  res.setHeader('Cache-Control', 'public, max-age=300');
  if (!req.fresh) return false;
  res.status(304).end();
  return true;
}

/**
 * Streams a body. Headers are out by then, so a failure half-way can only cut the response short
 * (the client sees an incomplete transfer, never a truncated file that looks whole).
 */
export async function sendStream(res: Response, body: Readable): Promise<void> {
  try {
    await pipeline(body, res);
  } catch (error) {
    if (!res.destroyed) res.destroy(error as Error);
    // A client that went away mid-download is not an error of ours.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      logger.error(`download failed part-way: ${(error as Error).message}`);
    }
  }
}
