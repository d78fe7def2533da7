/**
 * The bench host's endpoints as a load generator sends them, with the targets for each
 * (crm-audit-log against audit off, in the same run). Pure: request bodies come from the seeded records.
 */
import { asJson, editedForm, newContactForm, SEGMENTS, STAGES } from './contact-records';

export interface EndpointRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
}

export interface EndpointTargets {
  /** requests/s at least this share of audit off. */
  rps?: number;
  /** p99 latency at most this multiple of audit off. */
  p99?: number;
  /** Host CPU per request at most this multiple of audit off. */
  cpu?: number;
  /** Database commands per request beyond audit off, on the request path. */
  extraCommands: number;
  /** What the extra command should be. */
  extraCommandNote?: string;
  /** The extra read must be projected (not the whole document). */
  extraProjected?: boolean;
}

export interface HostEndpoint {
  id: 'create' | 'save' | 'findOneAndUpdate' | 'updateOne' | 'list' | 'updateMany' | 'softDelete';
  label: string;
  connections: number;
  /** Requests a round may send before one hits a record it already wrote (soft delete must flip a live record each time). */
  pool?: number;
  /** Request number `index` of a round; `sequence` counts every request the host got, so each one changes something. */
  request(index: number, sequence: number): EndpointRequest;
  /** The records request `index` writes (ids), `created` for a new record, `none` for a read. */
  touches(index: number): string[] | 'created' | 'none';
  targets: EndpointTargets;
}

export interface SeededRecord {
  id: string;
  /** Its index in seedContact(): request bodies are built from it. */
  index: number;
}

/** One tenant's records: the single-record endpoints cycle through them, updateMany changes them all. */
export function hostEndpoints(records: readonly SeededRecord[]): HostEndpoint[] {
  const nth = (index: number) => records[index % records.length]!;
  const one = (index: number) => [nth(index).id];
  const plain = { rps: 0.95, p99: 1.05, cpu: 1.05 };
  const point = { extraCommands: 1, extraCommandNote: 'one projected point read', extraProjected: true };
  return [
    {
      id: 'create',
      label: 'create',
      connections: 10,
      request: (_index, sequence) => ({ method: 'POST', path: '/api/contacts', body: asJson(newContactForm(sequence)) }),
      touches: () => 'created',
      targets: { ...plain, extraCommands: 0 },
    },
    {
      id: 'save',
      label: 'load and save',
      connections: 10,
      request: (index, sequence) => ({ method: 'PUT', path: `/api/contacts/${nth(index).id}/save`, body: asJson(editedForm(nth(index).index, sequence)) }),
      touches: one,
      targets: { ...plain, extraCommands: 0 },
    },
    {
      id: 'findOneAndUpdate',
      label: 'findOneAndUpdate(plain object)',
      connections: 10,
      request: (index, sequence) => ({ method: 'PUT', path: `/api/contacts/${nth(index).id}`, body: asJson(editedForm(nth(index).index, sequence)) }),
      touches: one,
      targets: { cpu: 1.1, ...point },
    },
    {
      id: 'updateOne',
      label: 'updateOne $set + $push',
      connections: 10,
      request: (index, sequence) => ({ method: 'POST', path: `/api/contacts/${nth(index).id}/activity`, body: { kind: 'call', note: `Follow-up call ${sequence}`, stage: STAGES[sequence % STAGES.length] } }),
      touches: one,
      targets: { cpu: 1.1, ...point },
    },
    {
      id: 'list',
      label: 'list of 100 (hydrated)',
      connections: 10,
      request: () => ({ method: 'GET', path: '/api/contacts?limit=100' }),
      touches: () => 'none',
      targets: { ...plain, extraCommands: 0 },
    },
    {
      id: 'updateMany',
      label: `updateMany over ${records.length.toLocaleString('en-US')}`,
      // One user running a bulk action at a time: the latency of one is the figure.
      connections: 1,
      request: (_index, sequence) => ({ method: 'POST', path: '/api/contacts/bulk-stage', body: { segment: SEGMENTS.seeded, stage: STAGES[sequence % STAGES.length] } }),
      touches: () => records.map((record) => record.id),
      targets: { extraCommands: 1, extraCommandNote: 'ids only, one event', extraProjected: true },
    },
    {
      id: 'softDelete',
      label: 'soft delete',
      connections: 10,
      pool: records.length,
      request: (index) => ({ method: 'DELETE', path: `/api/contacts/${nth(index).id}` }),
      touches: one,
      targets: { ...plain, ...point },
    },
  ];
}
