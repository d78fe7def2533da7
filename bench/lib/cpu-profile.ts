/**
 * Where a process's CPU went, from a V8 .cpuprofile (node --cpu-prof; the host bench writes one per
 * host with BENCH_PROFILE_DIR): the heaviest functions by self time, and the share of samples with a
 * frame of each group on the stack (inclusive), so two hosts' profiles compare group by group.
 *   node --require ./test/helpers/swc-register.js bench/lib/cpu-profile.ts host-ours.cpuprofile [host-off.cpuprofile]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Groups by the file a frame is in; the first group that matches names the frame. */
export const PROFILE_GROUPS: Array<{ name: string; matches: (url: string, fn: string) => boolean }> = [
  { name: 'crm-audit-log capture (plugins/)', matches: (url) => url.includes('/plugins/') },
  { name: 'crm-audit-log events + recorder (server/)', matches: (url) => url.includes('/server/') },
  { name: 'zod', matches: (url) => url.includes('/node_modules/zod/') },
  { name: 'peer plugin', matches: (url) => /mongoose-(history|patch-history|log-history)\//.test(url) },
  { name: 'mongoose toObject/clone', matches: (url, fn) => url.includes('/mongoose/') && /^(toObject|\$toObject|clone|cloneObject|_toObjectOrJSON)$/.test(fn) },
  { name: 'mongoose', matches: (url) => url.includes('/node_modules/mongoose/') },
  { name: 'mongodb driver + bson', matches: (url) => /\/node_modules\/(mongodb|bson)\//.test(url) },
  { name: 'express + http', matches: (url) => /\/node_modules\/(express|router|body-parser|raw-body)\//.test(url) || url.startsWith('node:_http') || url.startsWith('node:http') },
  { name: 'garbage collection', matches: (_url, fn) => fn === '(garbage collector)' },
];

/** Loading and compiling modules (the host's start-up, swc included): not request work. */
const isStartUp = (url: string, fn: string) => url.startsWith('node:internal/modules/') || (url.includes('/@swc/core/') && fn === 'transformSync');

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  startUpMs: number;
  /** Self time in crm-audit-log's own files (plugins/, server/). */
  ownSelfMs: number;
  /** Inclusive ms per group: samples with any frame of the group on the stack. */
  groups: Record<string, number>;
  topSelf: Array<{ frame: string; ms: number }>;
  /** crm-audit-log's own functions (plugins/, server/) by inclusive time: where its share goes. */
  topOurs: Array<{ frame: string; ms: number }>;
}

const isOurs = (url: string) => url.includes('/plugins/') || url.includes('/server/');
/** The request context runs the rest of the request inside it: its inclusive time is the whole request. */
const WRAPPERS = /request-context\.middleware\.ts|audit-context\.ts/;
const frameName = (frame: ProfileNode['callFrame']) => `${frame.functionName || '(anonymous)'} ${basename(frame.url)}:${frame.lineNumber + 1}`;
const heaviest = (totals: Map<string, number>, top: number) => [...totals].sort((a, b) => b[1] - a[1]).slice(0, top).map(([frame, ms]) => ({ frame, ms }));

export function summariseProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const groups: Record<string, number> = Object.fromEntries(PROFILE_GROUPS.map((group) => [group.name, 0]));
  const self = new Map<string, number>();
  const ours = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  let startUpMs = 0;
  let ownSelfMs = 0;
  const stackOf = (sample: number) => {
    const frames: ProfileNode['callFrame'][] = [];
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) frames.push(byId.get(id)!.callFrame);
    return frames;
  };
  profile.samples.forEach((sample, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const leaf = byId.get(sample)!;
    totalMs += ms;
    if (leaf.callFrame.functionName === '(idle)') return void (idleMs += ms);
    const stack = stackOf(sample);
    if (stack.some((frame) => isStartUp(frame.url, frame.functionName))) return void (startUpMs += ms);
    const frame = frameName(leaf.callFrame);
    self.set(frame, (self.get(frame) ?? 0) + ms);
    if (isOurs(leaf.callFrame.url)) ownSelfMs += ms;
    for (const name of new Set(stack.filter((candidate) => isOurs(candidate.url) && !WRAPPERS.test(candidate.url)).map(frameName))) ours.set(name, (ours.get(name) ?? 0) + ms);
    const seen = new Set<string>();
    for (const { url, functionName } of stack) {
      const group = PROFILE_GROUPS.find((candidate) => candidate.matches(url, functionName));
      if (group && !seen.has(group.name)) (seen.add(group.name), (groups[group.name]! += ms));
    }
  });
  return { totalMs, idleMs, startUpMs, ownSelfMs, groups, topSelf: heaviest(self, top), topOurs: heaviest(ours, top) };
}

if (require.main === module) {
  const files = process.argv.slice(2);
  const summaries = files.map((file) => ({ file: basename(file), summary: summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile) }));
  const busy = (summary: ProfileSummary) => summary.totalMs - summary.idleMs - summary.startUpMs;
  const lines = [`| group (inclusive ms) | ${summaries.map(({ file }) => file).join(' | ')} |`, `|---|${summaries.map(() => '---').join('|')}|`];
  lines.push(`| start-up (module loading) | ${summaries.map(({ summary }) => Math.round(summary.startUpMs)).join(' | ')} |`);
  lines.push(`| busy after start-up | ${summaries.map(({ summary }) => Math.round(busy(summary))).join(' | ')} |`);
  lines.push(`| crm-audit-log's own code, self time | ${summaries.map(({ summary }) => Math.round(summary.ownSelfMs)).join(' | ')} |`);
  for (const group of PROFILE_GROUPS) lines.push(`| ${group.name} | ${summaries.map(({ summary }) => Math.round(summary.groups[group.name]!)).join(' | ')} |`);
  for (const { file, summary } of summaries) {
    lines.push('', `${file}: heaviest functions by self time`);
    for (const { frame, ms } of summary.topSelf) lines.push(`  ${ms.toFixed(0).padStart(6)} ms  ${((ms / busy(summary)) * 100).toFixed(1).padStart(5)} %  ${frame}`);
    if (summary.topOurs.length === 0) continue;
    lines.push(`${file}: crm-audit-log functions by inclusive time (the request-context wrapper left out: it holds the whole request)`);
    for (const { frame, ms } of summary.topOurs) lines.push(`  ${ms.toFixed(0).padStart(6)} ms  ${((ms / busy(summary)) * 100).toFixed(1).padStart(5)} %  ${frame}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
