import 'dotenv/config';
import { defineConfig } from 'prisma/config';

// The datasource URL lives here (Prisma 7). Migrations are applied by `npm run db:migrate`
// (scripts/db.ts, Prisma's schema engine compiled to WebAssembly), which writes the same
// `_prisma_migrations` table as `prisma migrate deploy`.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations', seed: 'tsx prisma/seed.ts' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/pledgewatch' },
});
