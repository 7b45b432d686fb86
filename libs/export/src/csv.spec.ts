import { execFileSync } from 'node:child_process';
import { csvRows, neutraliseFormulas } from './csv';

/** Python's csv module, the reader most open-data users meet first: the rows it sees. */
function readWithPython(text: string): string[][] {
  const script = 'import csv, io, json, sys; print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline="")))))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: text, encoding: 'utf8' })) as string[][];
}

describe('CSV cells', () => {
  const hostile = [
    'Plain summary',
    'Two lines\n=HYPERLINK("http://evil.example","click")',
    'CRLF inside\r\n+1+1',
    'Bare CR\r@SUM(A1:A2)',
    '-2+3 at the start',
    '\tTab first',
    'Quote " and, comma\n-lines',
    'Trailing line break\n',
  ];

  it('neutralises every line that starts like a formula, not only the first', () => {
    expect(neutraliseFormulas('=1+1')).toBe("'=1+1");
    expect(neutraliseFormulas('ok\n=1+1\r\n+2\r@3\n-4\n\tx\nfine')).toBe("ok\n'=1+1\r\n'+2\r'@3\n'-4\n'\tx\nfine");
    expect(neutraliseFormulas('a = b\nc')).toBe('a = b\nc');
  });

  it('quotes any field with CR or LF, so Python reads one row per record with every line neutralised', () => {
    const records = hostile.map((summary, i) => ({ slug: `w${i}`, summary }));
    const text = csvRows(records, ['slug', 'summary'], true);
    const rows = readWithPython(text);
    expect(rows).toHaveLength(hostile.length + 1);
    expect(rows[0]).toEqual(['slug', 'summary']);
    rows.slice(1).forEach((row, i) => {
      expect(row).toEqual([`w${i}`, neutraliseFormulas(hostile[i])]);
      for (const line of row[1].split(/\r\n|\r|\n/)) expect(line).not.toMatch(/^[=+\-@\t\r]/);
    });
  });
});
