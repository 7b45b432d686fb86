export * from './database.module';
export * from './prisma.service';
export * from './generated/client';
export * from './workstream-reference';
