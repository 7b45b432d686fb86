import { DomainError } from '@pledgewatch/problems';
import { canonicalTimezone, normaliseEmail, parseSubscribeRequest, parseUpdateForm, parseUpdateJson } from './subscription-input';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return [(error as DomainError).status, (error as DomainError).code];
  }
  return null;
};

describe('normaliseEmail', () => {
  it('trims and lower-cases', () => {
    expect(normaliseEmail('  Reader.Name+pw@Example.ORG ')).toBe('reader.name+pw@example.org');
  });

  it.each([
    ['a@b.c\r\nBcc: x@y.z'],
    ['a@b.co\nBcc: x@y.z'],
    ['a@b.co\u0000'],
    ['a\t@b.co'],
    ['a@b.co\u2028'],
  ])('refuses control characters (header injection): %j', (raw) => {
    expect(codeOf(() => normaliseEmail(raw))).toEqual([400, 'validation_failed']);
  });

  it.each([['plain'], ['@example.org'], ['a@'], ['a@localhost'], ['a..b@example.org'], ['a b@example.org'], ['"q"@example.org'], ['a@-x.org'], ['ü@example.org'], [`${'a'.repeat(65)}@example.org`], [`a@${'b'.repeat(250)}.org`]])(
    'refuses %j',
    (raw) => {
      expect(codeOf(() => normaliseEmail(raw))).toEqual([400, 'validation_failed']);
    },
  );
});

describe('canonicalTimezone', () => {
  it('accepts IANA names in any case and canonicalises them', () => {
    expect(canonicalTimezone('Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(canonicalTimezone('asia/tokyo')).toBe('Asia/Tokyo');
    expect(canonicalTimezone('UTC')).toBe('UTC');
  });

  it('refuses what is not a zone name', () => {
    expect(canonicalTimezone('Mars/Olympus_Mons')).toBeNull();
    expect(canonicalTimezone('+09:00')).toBeNull();
    expect(canonicalTimezone('')).toBeNull();
  });
});

describe('parseSubscribeRequest', () => {
  it('fills defaults and normalises topics', () => {
    expect(
      parseSubscribeRequest({
        email: 'A@Example.org',
        countries: ['my', 'MY'],
        intersections: [{ country: 'ph', sector: 'Maritime-Security' }],
      }),
    ).toEqual({
      email: 'a@example.org',
      topics: { countries: ['MY'], sectors: [], intersections: [{ country: 'PH', sector: 'maritime-security' }], workstreams: [] },
      preferences: { alerts: true, digest: true, skipEmptyDigest: false, timezone: 'UTC', digestDay: 'monday', digestHour: 8 },
    });
  });

  it('answers 422 no_topics, 422 invalid_timezone, 400 for unknown fields and bad hours', () => {
    expect(codeOf(() => parseSubscribeRequest({ email: 'a@example.org' }))).toEqual([422, 'no_topics']);
    expect(codeOf(() => parseSubscribeRequest({ email: 'a@example.org', countries: ['MY'], timezone: 'Asia/Nowhere' }))).toEqual([422, 'invalid_timezone']);
    expect(codeOf(() => parseSubscribeRequest({ email: 'a@example.org', countries: ['MY'], admin: true }))).toEqual([400, 'validation_failed']);
    expect(codeOf(() => parseSubscribeRequest({ email: 'a@example.org', countries: ['MY'], digestHour: 24 }))).toEqual([400, 'validation_failed']);
    expect(codeOf(() => parseSubscribeRequest({ email: 'a@example.org', countries: ['MY'], digestDay: 'someday' }))).toEqual([400, 'validation_failed']);
  });
});

describe('parseUpdateForm and parseUpdateJson', () => {
  it('reads the whole form: unticked boxes are off, pairs are COUNTRY:sector', () => {
    expect(
      parseUpdateForm({
        countries: 'MY',
        sectors: ['space', 'digital'],
        intersections: 'PH:maritime-security',
        newIntersectionCountry: 'VN',
        newIntersectionSector: 'energy-climate',
        newWorkstream: '',
        digest: 'on',
        timezone: 'Europe/Paris',
        digestDay: 'friday',
        digestHour: '17',
      }),
    ).toEqual({
      leave: false,
      topics: {
        countries: ['MY'],
        sectors: ['space', 'digital'],
        intersections: [
          { country: 'PH', sector: 'maritime-security' },
          { country: 'VN', sector: 'energy-climate' },
        ],
        workstreams: [],
      },
      preferences: { alerts: false, digest: true, skipEmptyDigest: false, timezone: 'Europe/Paris', digestDay: 'friday', digestHour: 17 },
    });
    expect(parseUpdateForm({ action: 'leave' }).leave).toBe(true);
  });

  it('keeps JSON updates partial', () => {
    expect(parseUpdateJson({ digestHour: 6 })).toEqual({ leave: false, topics: {}, preferences: { digestHour: 6 } });
    expect(parseUpdateJson({ action: 'leave' }).leave).toBe(true);
  });
});
