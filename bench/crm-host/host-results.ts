/**
 * The host bench's figures per endpoint and host, and what follows from them: ratios against the
 * audit-off host on the same mongoose, extra commands, and crm-audit-log's targets. Pure.
 */
import { summarise, summariseRate, type Summary } from '../lib/bench-stats';
import type { BenchRow } from '../lib/bench-report';
import type { CaptureVerdict } from './capture-check';
import { extraCommands, splitByCollection, totalOf, type CommandTally } from './command-log';
import type { EndpointCount } from './count-pass';
import type { HostEndpoint } from './host-endpoints';
import type { HostVariant } from './host-variants';
import type { RoundResult } from './load-round';

export interface HostFigures {
  variant: string;
  label: string;
  endpoint: HostEndpoint['id'];
  rps: Summary;
  p50: Summary;
  p99: Summary;
  hostCpuMs: Summary;
  serverCpuMs: Summary;
  failures: number;
  /** Commands per request on the request path (the plugin's own after-response writes taken out). */
  commands: CommandTally;
  /** crm-audit-log's batched event writes per request, which leave the request path. */
  eventWrites: CommandTally;
  capture?: CaptureVerdict;
}

export interface HostComparison extends HostFigures {
  baseline?: string;
  ratios?: { rps: number; p50: number; p99: number; hostCpu: number; serverCpu: number };
  extra?: CommandTally;
}

export function figuresOf(variant: HostVariant, endpoint: HostEndpoint, rounds: readonly RoundResult[], count: EndpointCount | undefined): HostFigures {
  const pick = (metric: keyof RoundResult) => rounds.map((round) => round[metric]);
  const afterResponse = variant.capture?.writes === 'after the response' ? [variant.capture.store, ...(variant.capture.otherStores ?? [])] : [];
  const { inStores, rest } = splitByCollection(count?.commands ?? {}, afterResponse);
  return {
    variant: variant.id,
    label: variant.label,
    endpoint: endpoint.id,
    rps: summariseRate(pick('rps')),
    p50: summarise(pick('p50')),
    p99: summarise(pick('p99')),
    hostCpuMs: summarise(pick('hostCpuMs')),
    serverCpuMs: summarise(pick('serverCpuMs')),
    failures: pick('failures').reduce((sum, failures) => sum + failures, 0),
    commands: rest,
    eventWrites: inStores,
    capture: count?.capture,
  };
}

/** Each host's figures with its ratios against the audit-off host on the same mongoose (rates: host ÷ off; costs: host ÷ off). */
export function compare(figures: readonly HostFigures[], variants: readonly HostVariant[]): HostComparison[] {
  return figures.map((figure) => {
    const baselineId = variants.find((variant) => variant.id === figure.variant)?.baseline;
    const baseline = figures.find((other) => other.variant === baselineId && other.endpoint === figure.endpoint);
    if (!baseline) return figure;
    const ratio = (mine: Summary, theirs: Summary) => mine.median / theirs.median;
    return {
      ...figure,
      baseline: baselineId,
      ratios: {
        rps: ratio(figure.rps, baseline.rps),
        p50: ratio(figure.p50, baseline.p50),
        p99: ratio(figure.p99, baseline.p99),
        hostCpu: ratio(figure.hostCpuMs, baseline.hostCpuMs),
        serverCpu: ratio(figure.serverCpuMs, baseline.serverCpuMs),
      },
      extra: extraCommands(figure.commands, baseline.commands),
    };
  });
}

export interface TargetCheck {
  endpoint: HostEndpoint['id'];
  target: string;
  measured: string;
  met: boolean;
}

/** crm-audit-log's targets from issue 17, endpoint by endpoint. */
export function targetChecks(ours: readonly HostComparison[], endpoints: readonly HostEndpoint[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const endpoint of endpoints) {
    const mine = ours.find((figure) => figure.endpoint === endpoint.id);
    if (!mine?.ratios || !mine.extra) continue;
    const { targets } = endpoint;
    const add = (target: string, measured: string, met: boolean) => checks.push({ endpoint: endpoint.id, target, measured, met });
    if (targets.rps !== undefined) add(`req/s ≥ ${targets.rps}× audit off`, `${mine.ratios.rps.toFixed(2)}×`, mine.ratios.rps >= targets.rps);
    if (targets.p99 !== undefined) add(`p99 ≤ ${targets.p99}× audit off`, `${mine.ratios.p99.toFixed(2)}×`, mine.ratios.p99 <= targets.p99);
    if (targets.cpu !== undefined) add(`host CPU per request ≤ +${Math.round((targets.cpu - 1) * 100)} %`, `${signedPercent(mine.ratios.hostCpu)}`, mine.ratios.hostCpu <= targets.cpu);
    const extra = totalOf(mine.extra);
    const note = targets.extraCommandNote ? ` (${targets.extraCommandNote})` : '';
    // `find contacts {…}` is a projected read; `find contacts` reads whole documents.
    const projected = !targets.extraProjected || Object.keys(mine.extra).every((command) => !command.startsWith('find ') || command.includes('{'));
    add(`extra commands per request = ${targets.extraCommands}${note}`, describeTally(mine.extra) || '0', Math.abs(extra - targets.extraCommands) < 1e-9 && projected);
  }
  return checks;
}

export const signedPercent = (ratio: number) => (Number.isNaN(ratio) ? '–' : `${ratio >= 1 ? '+' : '−'}${Math.abs(Math.round((ratio - 1) * 100))} %`);

/** `+1: find contacts` / `+1,002: 1,000 insert contact_patches, 2 find contacts`. */
export function describeTally(tally: CommandTally): string {
  const entries = Object.entries(tally).filter(([, count]) => Math.abs(count) > 1e-9);
  if (entries.length === 0) return '';
  const number = (count: number) => (Number.isInteger(count) ? count.toLocaleString('en-US') : count.toFixed(2));
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  const parts = entries.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).map(([command, count]) => (entries.length === 1 ? command : `${number(count)} ${command}`));
  return `${total >= 0 ? '+' : ''}${number(total)}: ${parts.join(', ')}`;
}

/** The rows of the runner's combined table: crm-audit-log against audit off, per endpoint. */
export function benchRows(ours: readonly HostComparison[], baselines: readonly HostFigures[], endpoints: readonly HostEndpoint[], label: (endpoint: HostEndpoint) => string): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const endpoint of endpoints) {
    const mine = ours.find((figure) => figure.endpoint === endpoint.id);
    const off = baselines.find((figure) => figure.endpoint === endpoint.id);
    if (!mine?.ratios || !off) continue;
    const { targets } = endpoint;
    const row = (metric: string, unit: string, a: Summary, b: Summary, ratio: number, limit: number | undefined, higherIsBetter: boolean): BenchRow => ({
      case: label(endpoint),
      metric,
      unit,
      ours: a,
      raw: b,
      ratio,
      target: limit === undefined ? '(no target)' : `${higherIsBetter ? '≥' : '≤'} ${limit}`,
      met: limit === undefined ? null : higherIsBetter ? ratio >= limit : ratio <= limit,
    });
    rows.push(row('requests/s', 'req/s per round, p95 = slowest 5%', mine.rps, off.rps, mine.ratios.rps, targets.rps, true));
    rows.push(row('latency p99', 'ms per round', mine.p99, off.p99, mine.ratios.p99, targets.p99, false));
    // CPU is read in 10 ms ticks: a tiny round may show none on one side.
    if (mine.hostCpuMs.median > 0 && off.hostCpuMs.median > 0) rows.push(row('host process CPU', 'ms per request', mine.hostCpuMs, off.hostCpuMs, mine.ratios.hostCpu, targets.cpu, false));
  }
  return rows;
}
