import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CatalogModule } from '@pledgewatch/catalog';
import { EventsReadModule } from '@pledgewatch/events';
import { StatusModule } from '@pledgewatch/status';
import { WorkstreamsReadModule } from '@pledgewatch/workstreams';
import { CatalogController } from './catalog.controller';
import { EventsController } from './events.controller';
import { PublicReadCache, PublicReadCacheInterceptor, WritesInvalidateInterceptor } from './public-read-cache';
import { WorkstreamPageRedirectMiddleware } from './workstream-page-redirect.middleware';
import { WorkstreamsController } from './workstreams.controller';

/** The public, unauthenticated read API; its answers kept until the data changes (PublicReadCache). */
@Module({
  imports: [CatalogModule, WorkstreamsReadModule, EventsReadModule, StatusModule],
  controllers: [CatalogController, WorkstreamsController, EventsController],
  providers: [PublicReadCache, PublicReadCacheInterceptor, { provide: APP_INTERCEPTOR, useClass: WritesInvalidateInterceptor }],
})
export class PublicApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(WorkstreamPageRedirectMiddleware).forRoutes({ path: 'v1/workstreams/:slug', method: RequestMethod.GET });
  }
}
