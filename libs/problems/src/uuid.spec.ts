import { isUuid } from './uuid';

describe('isUuid', () => {
  it('accepts a UUID in either case and nothing else', () => {
    expect(isUuid('0b6f5e1c-3d2a-4c8e-9f10-2a3b4c5d6e7f')).toBe(true);
    expect(isUuid('0B6F5E1C-3D2A-4C8E-9F10-2A3B4C5D6E7F')).toBe(true);
    for (const value of ['', 'official-security-assistance-philippines', '0b6f5e1c3d2a4c8e9f102a3b4c5d6e7f', '0b6f5e1c-3d2a-4c8e-9f10-2a3b4c5d6e7f ', '0b6f5e1c-3d2a-4c8e-9f10-2a3b4c5d6e7g']) {
      expect(isUuid(value)).toBe(false);
    }
  });
});
