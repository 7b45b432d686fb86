import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@pledgewatch/config';
import { DatabaseModule } from '@pledgewatch/database';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: WorkerModule, imports: [ConfigModule.forRoot(config), DatabaseModule] };
  }
}
