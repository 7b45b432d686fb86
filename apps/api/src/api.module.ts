import { DynamicModule, Module, Type } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppConfig, ConfigModule } from '@pledgewatch/config';
import { DatabaseModule } from '@pledgewatch/database';
import { apiLoggerParams } from '@pledgewatch/observability';
import { QueueModule } from '@pledgewatch/queue';
import { AdminApiModule } from './admin/admin-api.module';
import { AdminChecksModule } from './admin/admin-checks.module';
import { AdminDigestsModule } from './admin/admin-digests.module';
import { AdminMailModule } from './admin/admin-mail.module';
import { OpsModule } from './ops/ops.module';
import { PagesModule } from './pages/pages.module';
import { FeedsApiModule } from './feeds/feeds-api.module';
import { PublicApiModule } from './public/public-api.module';
import { SubscriptionsApiModule } from './subscriptions/subscriptions-api.module';

@Module({})
export class ApiModule {
  /** `extraModules`: only bench:api's own instance passes one (its bare constant route); production has none. */
  static forRoot(config: AppConfig, logDestination?: DestinationStream, extraModules: Type[] = []): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(apiLoggerParams(config, logDestination)),
        DatabaseModule,
        QueueModule.forRoot(),
        OpsModule,
        PublicApiModule,
        FeedsApiModule,
        AdminApiModule,
        AdminChecksModule,
        AdminDigestsModule,
        AdminMailModule,
        SubscriptionsApiModule,
        PagesModule,
        ...extraModules,
      ],
    };
  }
}
