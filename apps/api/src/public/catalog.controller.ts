import { Controller, Get, Query } from '@nestjs/common';
import { CatalogService } from '@pledgewatch/catalog';
import { parse } from '@pledgewatch/problems';
import { NO_PARAMETERS } from './query-params';

/** The reference lists filters and subscriptions name: short, so never paginated. */
@Controller('v1')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get('countries')
  async countries(@Query() query: unknown) {
    parse(NO_PARAMETERS, query);
    return { items: await this.catalog.countries() };
  }

  @Get('sectors')
  async sectors(@Query() query: unknown) {
    parse(NO_PARAMETERS, query);
    return { items: await this.catalog.sectors() };
  }

  @Get('summits')
  async summits(@Query() query: unknown) {
    parse(NO_PARAMETERS, query);
    return { items: await this.catalog.summits() };
  }
}
