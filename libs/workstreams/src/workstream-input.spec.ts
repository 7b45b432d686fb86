import { parse, ValidationError } from '@pledgewatch/problems';
import { CREATE_WORKSTREAM_SCHEMA, IMPORT_SCHEMA, PATCH_MILESTONE_SCHEMA } from './workstream-input';

const valid = {
  title: '  Coast guard vessels  ',
  summary: 'Twelve vessels.',
  summit: 'asean-japan-2023',
  countries: ['ph', 'PH', 'VN'],
  sectors: ['maritime-security'],
  instrument: 'oda',
  stage: 'implementation',
};

function fieldErrors(schema: Parameters<typeof parse>[0], input: unknown) {
  try {
    parse(schema, input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors.map((e) => [e.field, e.code]);
  }
  throw new Error('expected a 400');
}

describe('admin request bodies', () => {
  it('trim strings and normalise country codes (upper case, once each)', () => {
    const parsed = parse(CREATE_WORKSTREAM_SCHEMA, valid);
    expect(parsed.title).toBe('Coast guard vessels');
    expect(parsed.countries).toEqual(['PH', 'VN']);
  });

  it('name unknown fields, at any depth', () => {
    expect(fieldErrors(CREATE_WORKSTREAM_SCHEMA, { ...valid, colour: 'red', milestones: [{ title: 'a', dueDate: '2025-01-01', owner: 'x' }] }).sort()).toEqual([
      ['colour', 'unknown_field'],
      ['milestones.0.owner', 'unknown_field'],
    ]);
  });

  it.each(['2025-02-29', '2025-13-01', '2025-1-5', '05/01/2025', '2025-04-31T00:00:00Z'])('refuse the date %p', (dueDate) => {
    expect(fieldErrors(PATCH_MILESTONE_SCHEMA, { dueDate })).toEqual([['dueDate', 'invalid_format']]);
  });

  it('accept a leap day', () => {
    expect(parse(PATCH_MILESTONE_SCHEMA, { dueDate: '2024-02-29' }).dueDate).toEqual(new Date('2024-02-29T00:00:00.000Z'));
  });

  it.each(['ftp://example.org/x', 'javascript:alert(1)', 'example.org', 'https://'])('refuse the URL %p', (evidenceUrl) => {
    expect(fieldErrors(PATCH_MILESTONE_SCHEMA, { evidenceUrl })).toEqual([['evidenceUrl', 'invalid_format']]);
  });

  it('bound lengths, refuse empty text and non-kebab or id-like slugs', () => {
    expect(fieldErrors(CREATE_WORKSTREAM_SCHEMA, { ...valid, title: '   ', summary: 'x'.repeat(10_001) })).toEqual([
      ['title', 'too_small'],
      ['summary', 'too_big'],
    ]);
    expect(fieldErrors(CREATE_WORKSTREAM_SCHEMA, { ...valid, slug: 'Not_Kebab' })).toEqual([['slug', 'invalid_format']]);
    expect(fieldErrors(CREATE_WORKSTREAM_SCHEMA, { ...valid, slug: '0b7e6c1e-9d0e-4c1a-8f3e-2a1b3c4d5e6f' })).toEqual([['slug', 'custom']]);
  });

  it('an empty note clears it', () => {
    expect(parse(PATCH_MILESTONE_SCHEMA, { note: '   ' }).note).toBeNull();
  });

  it('import at most 500 workstreams', () => {
    expect(fieldErrors(IMPORT_SCHEMA, { workstreams: Array.from({ length: 501 }, () => valid) })).toEqual([['workstreams', 'too_big']]);
    expect(fieldErrors(IMPORT_SCHEMA, { workstreams: [{ ...valid, notify: false }] })).toEqual([['workstreams.0.notify', 'unknown_field']]);
  });
});
