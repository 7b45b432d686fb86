import { INestApplication, Module } from '@nestjs/common';
import { CatalogModule } from '@pledgewatch/catalog';
import { EventsReadModule } from '@pledgewatch/events';
import { StatusModule } from '@pledgewatch/status';
import { SubscriptionsModule } from '@pledgewatch/subscriptions';
import { WorkstreamsReadModule } from '@pledgewatch/workstreams';
import { AssetsController } from './assets.controller';
import { PageCache } from './page-cache';
import { PageErrorFilter, PageNotFoundFilter } from './page-error.filter';
import { PageRenderer } from './page-renderer';
import { ListingPagesController } from './listing-pages.controller';
import { PagesController } from './pages.controller';
import { SubscribePageController } from './subscribe-page.controller';

/** The public HTML pages (docs/pages.md): thin controllers over the libraries' queries, and templates. */
@Module({
  imports: [CatalogModule, WorkstreamsReadModule, EventsReadModule, StatusModule, SubscriptionsModule],
  controllers: [PagesController, ListingPagesController, SubscribePageController, AssetsController],
  providers: [PageRenderer, PageCache, PageErrorFilter],
})
export class PagesModule {}

/** Called by bootstrap after the global ProblemFilter: unknown addresses get a 404 page in a browser. */
export function setUpPages(app: INestApplication): void {
  app.useGlobalFilters(new PageNotFoundFilter(app.get(PageRenderer)));
}
