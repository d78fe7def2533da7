/**
 * What requiring the package costs a host's reads, in one process per figure: the heap after
 * `require` (gc'd), and the CPU of an allocation-heavy read (100 contacts hydrated and serialised,
 * as the host bench's "list of 100" endpoint) against a process that never required it. Built
 * packages only (`npm run build:package`); pass several dist folders (a second worktree's for a
 * before → after) and they are run alternately with the bare host, the order reversed every pass;
 * the summary is the median over passes of each pass's ratio (one busy moment on a shared machine
 * moves a single pass by ±5 %):
 *   node --require ./test/helpers/swc-register.js bench/package-load.bench.ts [--passes 4] [--create] [dist …]
 * `--create` also makes the audit log as a capturing host does (`createAuditLog` on the connection,
 * memory mode, the plugin on the contact schema) before the model is compiled.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import mongoose = require('mongoose');
import { contactModel, contactSchema } from './crm-host/contact-model';
import { seedContact } from './crm-host/contact-records';

const ROUNDS = 7;
const LISTS_PER_ROUND = 300;

/** One child: `none` or a dist folder; prints {heapMB, cpuMs} (median of the rounds' mean CPU per list). */
function measureHere(dist: string, create: boolean): void {
  const connection = mongoose.createConnection();
  const schema = contactSchema(mongoose);
  if (dist !== 'none') {
    const pkg = require(resolve(dist, 'plugins/index.js')) as typeof import('../plugins');
    if (create) {
      const pino = require('pino') as typeof import('pino');
      const auditLog = pkg.createAuditLog({ connection, durability: { mode: 'memory' }, secret: 'x'.repeat(32), logger: pino({ level: 'silent' }) });
      schema.plugin(auditLog.plugin);
    }
  }
  const model = contactModel(connection, schema);
  const stored = Array.from({ length: 100 }, (_, index) => seedContact(index));
  const listOnce = () => JSON.stringify(stored.map((document) => model.hydrate(document)));
  for (let i = 0; i < LISTS_PER_ROUND; i++) listOnce(); // warm-up (JIT)
  (globalThis as { gc?: () => void }).gc?.();
  const heapMB = process.memoryUsage().heapUsed / 1048576;
  const means: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < LISTS_PER_ROUND; i++) listOnce();
    const used = process.cpuUsage(start);
    means.push((used.user + used.system) / 1000 / LISTS_PER_ROUND);
  }
  means.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ heapMB, cpuMs: means[Math.floor(ROUNDS / 2)] }));
  process.exit(0); // the audit log's timers (and its never-opened connection) would keep it alive
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function main(): void {
  const argv = process.argv.slice(2);
  const passes = argv.includes('--passes') ? Number(argv[argv.indexOf('--passes') + 1]) : 4;
  const dists = argv.filter((argument, index) => !argument.startsWith('--') && argv[index - 1] !== '--passes');
  const create = argv.includes('--create') ? ['--create'] : [];
  const sides = ['none', ...(dists.length > 0 ? dists : ['dist'])];
  const extras = new Map(sides.map((side) => [side, [] as number[]]));
  const heaps = new Map(sides.map((side) => [side, [] as number[]]));
  for (let pass = 1; pass <= passes; pass++) {
    const order = pass % 2 === 1 ? sides : [...sides].reverse();
    const results = new Map(order.map((side) => [side, JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--require', resolve(__dirname, '../test/helpers/swc-register.js'), __filename, '--child', side, ...create], { encoding: 'utf8' })) as { heapMB: number; cpuMs: number }]));
    const bare = results.get('none')!;
    for (const side of sides) {
      const { heapMB, cpuMs } = results.get(side)!;
      const extra = (cpuMs / bare.cpuMs - 1) * 100;
      extras.get(side)!.push(extra);
      heaps.get(side)!.push(heapMB);
      console.log(`pass ${pass} ${side}: heap ${heapMB.toFixed(1)} MB, ${cpuMs.toFixed(3)} ms CPU per list of 100${side === 'none' ? '' : `, ${extra.toFixed(1)} % vs none`}`);
    }
  }
  for (const side of sides.slice(1)) {
    console.log(`${side}: heap ${median(heaps.get(side)!).toFixed(1)} MB (none: ${median(heaps.get('none')!).toFixed(1)}), CPU per list ${median(extras.get(side)!).toFixed(1)} % vs none (passes: ${extras.get(side)!.map((value) => value.toFixed(1)).join(', ')})`);
  }
}

if (process.argv.includes('--child')) measureHere(process.argv[process.argv.indexOf('--child') + 1]!, process.argv.includes('--create'));
else main();
