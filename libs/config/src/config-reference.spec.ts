import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ENV_SCHEMA } from './config';
import { configurationReference } from './config-reference';

const ROOT = path.join(__dirname, '..', '..', '..');
const schemaVariables = Object.keys(ENV_SCHEMA.shape).sort();

describe('configuration reference', () => {
  it('docs/configuration.md is what `npm run docs:config` writes from the schema', () => {
    expect(readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8')).toBe(configurationReference());
  });

  it('docs/configuration.md lists every schema variable and no other', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8');
    const listed = [...doc.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]).sort();
    expect(listed).toEqual(schemaVariables);
  });

  it('.env.example lists every schema variable once and no other', () => {
    const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    const listed = [...example.matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]).sort();
    expect(listed).toEqual(schemaVariables);
  });
});
