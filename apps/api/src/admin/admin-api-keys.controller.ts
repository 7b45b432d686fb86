import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { Actor } from '@pledgewatch/audit';
import { ApiKeysService } from '@pledgewatch/auth';
import { ApiKeyGuard } from './api-key.guard';
import { CurrentActor } from './principal.decorator';
import { Roles } from './roles.decorator';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { CREATE_API_KEY_SCHEMA } from '@pledgewatch/auth';
import { ApiAdmin, ApiAnswer, ApiJsonBody, ApiProblems } from '../http/openapi.decorators';
import { ApiKeyCreated, ApiKeyList } from '../http/response-schemas';

/** Key management over HTTP, for admins; `npm run cli -- keys:*` does the same from a shell. */
@ApiTags('admin')
@Controller('v1/admin/api-keys')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class AdminApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @ApiAdmin('API keys (never the keys themselves)', ['admin'])
  @ApiAnswer(200, ApiKeyList)
  @Get()
  async list() {
    return { items: await this.keys.list() };
  }

  /** `{ name, role }` → 201 with `key`: the only time it is shown. */
  @ApiAdmin('Create an API key: the answer is the only time the key is shown', ['admin'])
  @ApiJsonBody(CREATE_API_KEY_SCHEMA)
  @ApiAnswer(201, ApiKeyCreated, 'Created')
  @ApiProblems(400)
  @Post()
  create(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.keys.create(body, actor);
  }

  /** Revokes (by id or display prefix); the row stays for the audit trail. */
  @ApiAdmin('Revoke an API key (by id or prefix); the row stays for the audit trail', ['admin'])
  @ApiResponse({ status: 204, description: 'Revoked' })
  @ApiProblems(404)
  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id') id: string, @CurrentActor() actor: Actor) {
    await this.keys.revoke(id, actor);
  }
}
