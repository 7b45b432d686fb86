import { humanDate, humanValue, oneLine, safeHttpUrl } from './mail-text';

describe('mail text', () => {
  it('words dates and status values as a person reads them', () => {
    expect(humanDate('2024-06-30')).toBe('30 June 2024');
    expect(humanValue(null)).toBe('none');
    expect(humanValue('  ')).toBe('none');
    expect(humanValue('not_started')).toBe('not started');
    expect(humanValue('2024-06-30')).toBe('30 June 2024');
    expect(humanValue('2024-06-30T22:00:00.000Z')).toBe('30 June 2024');
    expect(humanValue('2024-13-45')).toBe('2024-13-45');
  });

  it('keeps a header on one line', () => {
    expect(oneLine('Radars\r\nBcc: x@evil.example\t for  Manila')).toBe('Radars Bcc: x@evil.example for Manila');
  });

  it('keeps only http(s) links', () => {
    expect(safeHttpUrl('https://gov.example/press?id=1')).toBe('https://gov.example/press?id=1');
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('data:text/html,hi')).toBeNull();
    expect(safeHttpUrl('not a url')).toBeNull();
    expect(safeHttpUrl(null)).toBeNull();
  });
});
