import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One trial's outcome on one backend: its figures, and each promise it checked. */
export interface TrialResult {
  trial: string;
  backend: 'redis' | 'postgres' | '-';
  title: string;
  figures: Record<string, number | string>;
  /** Promise → kept? The trial fails when any is false; the report says which. */
  checks: Record<string, boolean>;
  note?: string;
}

function resultsFile(): string {
  const file = process.env.PW_RELIABILITY_RESULTS;
  if (!file) throw new Error('PW_RELIABILITY_RESULTS is unset: run through `npm run test:reliability`');
  return file;
}

/** Records a result for docs/RELIABILITY.md and answers the broken promises (expect them to be []). */
export function record(result: TrialResult): string[] {
  appendFileSync(resultsFile(), `${JSON.stringify(result)}\n`);
  return Object.entries(result.checks)
    .filter(([, kept]) => !kept)
    .map(([promise]) => promise);
}

const COLUMNS: [key: string, heading: string][] = [
  ['expected', 'expected'],
  ['delivered', 'delivered'],
  ['duplicated', 'duplicated'],
  ['inFlightAtKill', 'in flight at kill'],
  ['requests', 'requests tried'],
  ['fivexx', '5xx seen'],
  ['recoverSeconds', 's to recover'],
  ['p99', 'p99 (ms)'],
];

/** Kept from one run to the next: the hand-written record of full-size runs, from this heading to the end. */
const KEPT_HEADING = '## Full-size runs';

/** docs/RELIABILITY.md from this run's results, keeping its "Full-size runs" section. */
export function writeReport(root: string, startedAt: Date): void {
  const file = process.env.PW_RELIABILITY_RESULTS;
  if (!file || !existsSync(file)) return;
  const results: TrialResult[] = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  if (results.length === 0) return;
  results.sort((a, b) => a.trial.localeCompare(b.trial, 'en', { numeric: true }) || a.backend.localeCompare(b.backend));
  let commit = 'unknown';
  let dirty = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root }).toString().trim();
    dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root }).toString().trim() ? ' (with uncommitted changes)' : '';
  } catch {
    /* not a git checkout */
  }
  const cell = (v: number | string | undefined) => (v === undefined ? '–' : typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en') : v.toFixed(1)) : v);
  const lines = [
    '# Reliability: what the suite proved',
    '',
    'Written by `npm run test:reliability` (test/reliability/, run by `.ci/run` after `npm test`): real API and',
    'worker processes (the built `dist/`), their own PostgreSQL database or cluster, their own Redis, their own SMTP',
    'server, broken on purpose. A trial fails, and CI with it, when a promise below is not kept.',
    '',
    `- Run: ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, commit \`${commit}\`${dirty}`,
    `- Machine: ${process.env.PW_RELIABILITY_MACHINE ?? `${os.cpus().length} cores, Node ${process.version}`}`,
    `- Sizes: set by environment (docs/testing.md, "Reliability suite"); this run: ${process.env.PW_RELIABILITY_SIZES ?? 'CI defaults'}`,
    '',
    `| trial | backend | result | ${COLUMNS.map(([, h]) => h).join(' | ')} |`,
    `|---|---|---|${COLUMNS.map(() => '---:').join('|')}|`,
    ...results.map((r) => {
      const broken = Object.entries(r.checks).filter(([, ok]) => !ok).length;
      return `| ${r.trial} ${r.title} | ${r.backend} | ${broken ? `**FAILED** (${broken})` : 'kept'} | ${COLUMNS.map(([k]) => cell(r.figures[k])).join(' | ')} |`;
    }),
    '',
    '## Each trial',
    '',
    ...results.flatMap((r) => [
      `### ${r.trial} ${r.title} (${r.backend})`,
      '',
      ...Object.entries(r.figures).map(([k, v]) => `- ${k}: ${cell(v)}`),
      ...Object.entries(r.checks).map(([promise, ok]) => `- ${ok ? '✔' : '✘ BROKEN:'} ${promise}`),
      ...(r.note ? ['', r.note] : []),
      '',
    ]),
  ];
  const target = path.join(root, 'docs/RELIABILITY.md');
  const previous = existsSync(target) ? readFileSync(target, 'utf8') : '';
  const kept = previous.indexOf(`\n${KEPT_HEADING}\n`);
  writeFileSync(target, `${lines.join('\n')}\n${kept >= 0 ? previous.slice(kept) : ''}`);
}
