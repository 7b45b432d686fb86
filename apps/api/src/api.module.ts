import { DynamicModule, Module, Type } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@pledgewatch/config';
import { DatabaseModule } from '@pledgewatch/database';
import { QueueModule } from '@pledgewatch/queue';
import { AdminApiModule } from './admin/admin-api.module';
import { AdminChecksModule } from './admin/admin-checks.module';
import { AdminDigestsModule } from './admin/admin-digests.module';
import { AdminMailModule } from './admin/admin-mail.module';
import { PublicApiModule } from './public/public-api.module';
import { StatusController } from './status.controller';
import { SubscriptionsApiModule } from './subscriptions/subscriptions-api.module';

@Module({})
export class ApiModule {
  /** `extraModules`: only bench:api's own instance passes one (its bare constant route); production has none. */
  static forRoot(config: AppConfig, extraModules: Type[] = []): DynamicModule {
    return {
      module: ApiModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, QueueModule.forRoot(), PublicApiModule, AdminApiModule, AdminChecksModule, AdminDigestsModule, AdminMailModule, SubscriptionsApiModule, ...extraModules],
      controllers: [StatusController],
    };
  }
}
