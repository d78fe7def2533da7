/** The host bench's markdown tables (printed, and pasted into docs/PERFORMANCE.md as they are). Pure. */
import { figure } from '../lib/bench-report';
import { describeTally, type HostComparison, type TargetCheck } from './host-results';
import type { HostEndpoint } from './host-endpoints';

const ratio = (value: number | undefined) => (value === undefined ? '' : Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

/** One row per endpoint and host; ratios against the audit-off host on the same mongoose. */
export function endpointTable(comparisons: readonly HostComparison[], endpoints: readonly HostEndpoint[]): string {
  const lines = [
    '| endpoint | host | req/s | × off | p50 ms | p99 ms | p99 × off | host CPU ms/req | × off | DB CPU ms/req | × off | extra commands per request | event writes per request | captured (one request, checked against the records) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const endpoint of endpoints) {
    for (const row of comparisons.filter((comparison) => comparison.endpoint === endpoint.id)) {
      const extra = row.extra ? describeTally(row.extra) || '0' : '';
      const eventWrites = row.ratios ? describeTally(row.eventWrites) || (row.capture ? '– (on the request path)' : '') : '';
      lines.push(
        `| ${endpoint.label} | ${row.label} | ${figure(row.rps.median)} | ${ratio(row.ratios?.rps)} | ${figure(row.p50.median)} | ${figure(row.p99.median)} | ${ratio(row.ratios?.p99)} | ` +
          `${figure(row.hostCpuMs.median)} | ${ratio(row.ratios?.hostCpu)} | ${figure(row.serverCpuMs.median)} | ${ratio(row.ratios?.serverCpu)} | ${extra} | ${eventWrites} | ${row.capture?.summary ?? ''} |`,
      );
    }
  }
  return lines.join('\n');
}

export function targetTable(checks: readonly TargetCheck[], endpoints: readonly HostEndpoint[]): string {
  const lines = ['| endpoint | crm-audit-log target (issue 17) | measured | met |', '|---|---|---|---|'];
  for (const check of checks) {
    const label = endpoints.find((endpoint) => endpoint.id === check.endpoint)?.label ?? check.endpoint;
    lines.push(`| ${label} | ${check.target} | ${check.measured} | ${check.met ? 'yes' : 'NO'} |`);
  }
  return lines.join('\n');
}

/** Every host's commands per request as they are (not a difference): for reading what each one sends. */
export function commandTable(comparisons: readonly HostComparison[], endpoints: readonly HostEndpoint[]): string {
  const lines = ['| endpoint | host | commands per request (request path) |', '|---|---|---|'];
  for (const endpoint of endpoints) {
    for (const row of comparisons.filter((comparison) => comparison.endpoint === endpoint.id)) {
      lines.push(`| ${endpoint.label} | ${row.label} | ${describeTally(row.commands).replace(/^\+/, '')} |`);
    }
  }
  return lines.join('\n');
}
