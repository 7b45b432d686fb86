import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@pledgewatch/config';
import { DatabaseModule } from '@pledgewatch/database';
import { StatusController } from './status.controller';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule],
      controllers: [StatusController],
    };
  }
}
