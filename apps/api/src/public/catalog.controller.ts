import { Controller, Get, Query, UseInterceptors } from '@nestjs/common';
import { CatalogService } from '@pledgewatch/catalog';
import { parse } from '@pledgewatch/problems';
import { NO_PARAMETERS } from './query-params';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiProblems } from '../http/openapi.decorators';
import { CountryList, SectorList, SummitList } from '../http/response-schemas';
import { PublicReadCacheInterceptor } from './public-read-cache';

/** The reference lists filters and subscriptions name: short, so never paginated. */
@ApiTags('catalog')
@UseInterceptors(PublicReadCacheInterceptor)
@Controller('v1')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @ApiOperation({ summary: 'Countries: ASEAN members by name, then observers, then partners' })
  @ApiAnswer(200, CountryList)
  @ApiProblems(400)
  @Get('countries')
  async countries(@Query() query: unknown) {
    parse(NO_PARAMETERS, query);
    return { items: await this.catalog.countries() };
  }

  @ApiOperation({ summary: 'Policy sectors' })
  @ApiAnswer(200, SectorList)
  @ApiProblems(400)
  @Get('sectors')
  async sectors(@Query() query: unknown) {
    parse(NO_PARAMETERS, query);
    return { items: await this.catalog.sectors() };
  }

  @ApiOperation({ summary: 'Summits, most recent first, with their sources' })
  @ApiAnswer(200, SummitList)
  @ApiProblems(400)
  @Get('summits')
  async summits(@Query() query: unknown) {
    parse(NO_PARAMETERS, query);
    return { items: await this.catalog.summits() };
  }
}
