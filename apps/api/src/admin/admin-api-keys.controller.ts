import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { Actor } from '@pledgewatch/audit';
import { ApiKeysService } from '@pledgewatch/auth';
import { ApiKeyGuard } from './api-key.guard';
import { CurrentActor } from './principal.decorator';
import { Roles } from './roles.decorator';

/** Key management over HTTP, for admins; `npm run cli -- keys:*` does the same from a shell. */
@Controller('v1/admin/api-keys')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class AdminApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  async list() {
    return { items: await this.keys.list() };
  }

  /** `{ name, role }` → 201 with `key`: the only time it is shown. */
  @Post()
  create(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.keys.create(body, actor);
  }

  /** Revokes (by id or display prefix); the row stays for the audit trail. */
  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id') id: string, @CurrentActor() actor: Actor) {
    await this.keys.revoke(id, actor);
  }
}
