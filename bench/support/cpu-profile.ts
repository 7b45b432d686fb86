/**
 * Where a process's CPU time went, from a V8 `.cpuprofile` (node --cpu-prof): self time summed by
 * library or part of the app, as percentages of the busy (non-idle) time.
 *
 *   tsx bench/support/cpu-profile.ts <file.cpuprofile>
 *
 * With the mail benchmarks: BENCH_WORKER_NODE_ARGS="--max-old-space-size=512 --cpu-prof
 * --cpu-prof-dir=/tmp/prof" npm run bench:fanout — the worker writes its profile when it stops.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const CATEGORIES: [string, RegExp][] = [
  ['nodemailer (MIME build, SMTP)', /node_modules\/nodemailer\//],
  ['handlebars', /node_modules\/handlebars\//],
  ['bullmq + ioredis', /node_modules\/(bullmq|ioredis|@ioredis|msgpackr|cluster-key-slot)\//],
  ['prisma', /node_modules\/(@prisma|prisma)\/|libs\/database\/src\/generated/],
  ['pg', /node_modules\/(pg|pg-protocol|pg-pool|pg-types)\//],
  ['nest + rxjs', /node_modules\/(@nestjs|rxjs)\//],
  ['app: mail (prepared MIME, renderer)', /libs\/mail\//],
  ['app: alerts composer, facts', /libs\/alerts\//],
  ['app: digest composer, content', /libs\/digest\//],
  ['app: deliveries (sender, batcher)', /libs\/deliveries\//],
  ['app: subscriber links (HMAC)', /libs\/subscriber-links\//],
  ['app: other', /\/(libs|apps)\//],
  ['other node_modules', /node_modules\//],
  ['node internals (net, streams, crypto, timers)', /^node:|^internal\//],
];

function categoryOf(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(program)') return 'V8 / native (program)';
  for (const [name, pattern] of CATEGORIES) if (pattern.test(url)) return name;
  return url ? 'other' : `native: ${functionName || '(anonymous)'}`;
}

const INTERNAL = (category: string) => category.startsWith('native: ') || category === 'other' || category.startsWith('node internals');

/**
 * Self time by category. `byCaller`: time in node internals and native code (socket writes,
 * streams, timers) goes to the nearest library or app frame above it — who asked for the work.
 */
export function summarise(profile: Profile, byCaller = false): { category: string; ms: number; percent: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = (id: number): string => {
    const own = categoryOf(byId.get(id)!);
    if (!byCaller || !INTERNAL(own)) return own;
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const category = categoryOf(byId.get(up)!);
      if (!INTERNAL(category) && !category.startsWith('V8')) return category;
    }
    return own.startsWith('native: ') ? 'native (no JS caller)' : own;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const category = owner(id);
    totals.set(category, (totals.get(category) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  totals.delete('(idle)');
  const busy = [...totals.values()].reduce((a, b) => a + b, 0);
  return [...totals.entries()]
    .map(([category, ms]) => ({ category, ms: Math.round(ms), percent: Number(((100 * ms) / busy).toFixed(1)) }))
    .sort((a, b) => b.ms - a.ms);
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: tsx bench/support/cpu-profile.ts <file.cpuprofile>');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  for (const byCaller of [false, true]) {
    const rows = summarise(profile, byCaller);
    const busy = rows.reduce((a, r) => a + r.ms, 0);
    console.log(`\n${byCaller ? 'by caller (node internals and native code charged to the library that called them)' : 'self time'}: busy CPU ${(busy / 1000).toFixed(1)} s`);
    for (const r of rows.filter((row) => row.percent >= 0.5)) console.log(`${r.percent.toFixed(1).padStart(5)} %  ${String(r.ms).padStart(7)} ms  ${r.category}`);
  }
}
