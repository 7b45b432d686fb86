/**
 * `npm run docs:config`: writes docs/configuration.md from the configuration schema
 * (libs/config). config-reference.spec.ts fails when the committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { configurationReference } from '@pledgewatch/config';

const target = path.join(__dirname, '..', 'docs', 'configuration.md');
writeFileSync(target, configurationReference());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
