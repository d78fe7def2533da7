import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { EventDocument } from '../events';
import type { ExportFileWriter } from './export-file-writer';
import type { ExportProof } from './export-integrity';

/** Events are proven in batches: one read of the tree's nodes serves the whole batch. */
const PROOF_BATCH = 256;

/**
 * NDJSON: one self-checking line per event (ExportProof.lines), `\n`-terminated, UTF-8, no BOM.
 * Rows wait in a batch until it is full, then the batch is proven and written; `writeRow` returns
 * the promise then, so the rows' reader waits while the output is backed up.
 */
export function createNdjsonWriter(output: Writable, proof: ExportProof): ExportFileWriter {
  let batch: EventDocument[] = [];
  const writeBatch = async () => {
    const events = batch;
    batch = [];
    if (events.length === 0) return;
    const lines = await proof.lines(events);
    if (!output.write(`${lines.join('\n')}\n`, 'utf8')) await once(output, 'drain');
  };
  return {
    writeRow(event) {
      batch.push(event);
      if (batch.length >= PROOF_BATCH) return writeBatch();
    },
    async finish() {
      await writeBatch();
      output.end();
      await once(output, 'finish');
    },
  };
}
