import type { EventDocument } from '../events';
import type { TSignedEnvelope } from '../integrity';
import type { ExportDocument } from './export.model';

/**
 * What an export needs from the integrity slice (the port is the consumer's, so it lives here):
 * a proof begun per attempt, bound to the checkpoint the export's events are in. NDJSON lines come
 * from it; every format's rows are observed (their log positions) and the finished file gets a
 * signed manifest (docs/INTEGRITY.md, "Exports and manifests").
 */
export interface ExportIntegrity {
  /** Waits until every event the export covers is sealed into a checkpoint, then binds to it. */
  begin(record: ExportDocument, signal: AbortSignal): Promise<ExportProof>;
}

export interface ExportProof {
  /** One NDJSON line per event (no newline): position, hashed part, values, inclusion proof. */
  lines(events: readonly EventDocument[]): Promise<string[]>;
  /** Notes a row's log position (CSV and XLSX rows are bound by the manifest, not line by line). */
  observe(event: EventDocument): void;
  manifest(file: { fileName: string; bytes: number; sha256: string; rows: number }): Promise<TSignedEnvelope>;
}
