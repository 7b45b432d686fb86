import { foldLines as libraryFold } from 'ical-generator';
import { foldLine, foldLines } from './milestone-calendar';

const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('iCalendar line folding', () => {
  const lines = [
    'SUMMARY:short',
    `DESCRIPTION:${'plain ascii text '.repeat(20)}`,
    `SUMMARY:${'é'.repeat(80)}`,
    `DESCRIPTION:${'日本とASEAN '.repeat(30)}`,
    `SUMMARY:${'🚢⚓'.repeat(50)}x`,
    `X-EXACT:${'a'.repeat(75 - 'X-EXACT:'.length)}`,
  ];

  it.each(lines)('folds at 75 octets without splitting a character: %#', (line) => {
    const folded = foldLine(line);
    expect(unfold(folded)).toBe(line);
    for (const physical of folded.split('\r\n')) {
      expect(Buffer.byteLength(physical, 'utf8')).toBeLessThanOrEqual(75);
      expect(physical).not.toMatch(LONE_SURROGATE);
    }
  });

  it('leaves a line of 75 octets or fewer alone, and folds each line of a block', () => {
    expect(foldLine(lines[5])).toBe(lines[5]);
    const block = `${lines.join('\r\n')}\r\n`;
    expect(unfold(foldLines(block))).toBe(block);
    // The same content lines as ical-generator's own folding, once unfolded.
    expect(unfold(foldLines(block))).toBe(unfold(libraryFold(block)));
  });
});
