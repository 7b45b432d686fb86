import { Controller, Get, NotFoundException, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { stylesheet } from '@pledgewatch/page-layout';

/** The pages' one stylesheet, at a content-addressed URL: cached for a year, a change gets a new name. */
@Controller('assets')
export class AssetsController {
  @Get(':file')
  stylesheet(@Param('file') file: string, @Req() request: Request, @Res() response: Response) {
    const css = stylesheet();
    if (`/assets/${file}` !== css.href) throw new NotFoundException();
    response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    response.setHeader('ETag', css.etag);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.type('text/css');
    if (request.fresh) return response.status(304).end();
    response.send(css.body);
  }
}
