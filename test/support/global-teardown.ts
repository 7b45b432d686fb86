import { adminQuery } from './postgres';

export default async function globalTeardown(): Promise<void> {
  const template = process.env.PW_TEST_TEMPLATE;
  if (template) await adminQuery(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
}
