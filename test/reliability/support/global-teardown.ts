import path from 'node:path';
import testGlobalTeardown from '../../support/global-teardown';
import { writeReport } from './report';

export default async function globalTeardown(): Promise<void> {
  await testGlobalTeardown();
  writeReport(path.resolve(__dirname, '../../..'), new Date(process.env.PW_RELIABILITY_STARTED ?? Date.now()));
}
