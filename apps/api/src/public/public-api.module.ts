import { Module } from '@nestjs/common';
import { CatalogModule } from '@pledgewatch/catalog';
import { EventsReadModule } from '@pledgewatch/events';
import { StatusModule } from '@pledgewatch/status';
import { WorkstreamsReadModule } from '@pledgewatch/workstreams';
import { CatalogController } from './catalog.controller';
import { EventsController } from './events.controller';
import { WorkstreamsController } from './workstreams.controller';

/** SPEC §3's public, unauthenticated read API. */
@Module({
  imports: [CatalogModule, WorkstreamsReadModule, EventsReadModule, StatusModule],
  controllers: [CatalogController, WorkstreamsController, EventsController],
})
export class PublicApiModule {}
