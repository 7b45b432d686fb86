import { Controller, Get, NotFoundException, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STYLESHEET } from '@pledgewatch/page-layout';

/** The pages' one stylesheet, at a content-addressed URL: cached for a year, a change gets a new name. */
@Controller('assets')
export class AssetsController {
  @Get(':file')
  stylesheet(@Param('file') file: string, @Req() request: Request, @Res() response: Response) {
    if (`/assets/${file}` !== STYLESHEET.href) throw new NotFoundException();
    response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    response.setHeader('ETag', STYLESHEET.etag);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.type('text/css');
    if (request.fresh) return response.status(304).end();
    response.send(STYLESHEET.body);
  }
}
