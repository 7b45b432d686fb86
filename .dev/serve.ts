import { randomBytes } from 'node:crypto';
import { StatusCheckService } from '@pledgewatch/status';
import { bootApi } from '../test/support/api';

async function main() {
  const db = process.env.DATABASE_URL!;
  const app = await bootApi(db, { QUEUE_PREFIX: 'h29dev', SMTP_URL: 'smtp://127.0.0.1:9', PUBLIC_BASE_URL: 'http://127.0.0.1:4729', LINK_SECRET: randomBytes(32).toString('base64url') });
  if (process.env.CHECK) await app.get(StatusCheckService, { strict: false }).run();
  await app.listen(4729, '127.0.0.1');
  console.log('listening 4729');
}
main();
