import { mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostDatabase } from '../db/host-database';
import { signWebhookBody } from '../common/webhook-signature';
import { ZChainEntry, type TChainEntry } from './checkpoint-chain';

/**
 * Where checkpoints are published outside the database, so a database administrator cannot rewrite
 * them: each sink keeps, per tenant, a checkpoint chain (checkpoint-chain.ts) that only grows.
 * `last` reads the sink's own copy; the publisher checks every new checkpoint against it before
 * appending, so a log rewritten since is caught there (checkpoint-publisher.ts).
 *
 * An object store implements the same two methods (see docs/INTEGRITY.md, "Publishing
 * checkpoints"): one object per entry under `<tenant>/<size, zero-padded>.json`, written with a
 * create-only condition (S3 `If-None-Match: *`) into a bucket with Object Lock in compliance mode,
 * and `last` = the greatest key under the tenant's prefix.
 */
export interface CheckpointSink {
  readonly name: string;
  last(tenantId: string): Promise<TChainEntry | null>;
  append(tenantId: string, entry: TChainEntry): Promise<void>;
}

/** One file per tenant, opened for appending only (O_APPEND) and synced after each entry. */
export function createFileCheckpointSink(directory: string): CheckpointSink {
  const fileOf = (tenantId: string) => join(directory, `${encodeURIComponent(tenantId)}.checkpoints.ndjson`);
  return {
    name: `file:${directory}`,
    async last(tenantId) {
      const line = await lastLine(fileOf(tenantId));
      return line === null ? null : ZChainEntry.parse(JSON.parse(line));
    },
    async append(tenantId, entry) {
      await mkdir(directory, { recursive: true });
      const file = await open(fileOf(tenantId), 'a', 0o644);
      try {
        await file.write(`${JSON.stringify(ZChainEntry.parse(entry))}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
    },
  };
}

/** A chain grows a line a minute: read only the file's tail for its last entry. */
async function lastLine(path: string): Promise<string | null> {
  const size = await stat(path).then((info) => info.size, (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? 0 : Promise.reject(error)));
  if (size === 0) return null;
  const file = await open(path, 'r');
  try {
    // An entry is a note (well under 1 KB) and at most 128 proof hashes of 44 characters.
    const length = Math.min(size, 16 * 1024);
    const { buffer } = await file.read(Buffer.alloc(length), 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').filter((line) => line.trim() !== '');
    return lines.at(-1) ?? null;
  } finally {
    await file.close();
  }
}

export const CHECKPOINT_DELIVERIES_COLLECTION = 'audit_integrity_deliveries';
type DeliveryDocument = { _id: string; tenantId: string; sink: string; entry: TChainEntry; deliveredAt: Date };

export type CheckpointWebhook = { url: string; secret: string };

/**
 * POSTs each entry to the tenant's webhook, signed as notification webhooks are (HMAC-SHA256 over
 * `<timestamp>.<body>`, headers `x-audit-timestamp` and `x-audit-signature`), body
 * `{ kind: 'audit_log.checkpoint', tenantId, entry }`. The receiver appends `entry` to its own chain
 * and runs `crm-audit-log verify --checkpoints` on it. The sink remembers what it last delivered (so
 * the next proof starts there); were that record edited, the receiver's chain would break: it fails
 * safe.
 */
export function createWebhookCheckpointSink(deps: {
  webhookOf: (tenantId: string) => CheckpointWebhook | undefined;
  db: HostDatabase;
  clock?: () => Date;
}): CheckpointSink {
  const clock = deps.clock ?? (() => new Date());
  const name = 'webhook';
  const deliveries = () => deps.db.collection<DeliveryDocument>(CHECKPOINT_DELIVERIES_COLLECTION);
  return {
    name,
    async last(tenantId) {
      const delivered = await (await deliveries()).findOne({ _id: `${name}:${tenantId}` });
      return delivered ? ZChainEntry.parse(delivered.entry) : null;
    },
    async append(tenantId, entry) {
      const webhook = deps.webhookOf(tenantId);
      if (!webhook) return;
      const timestamp = Math.floor(clock().getTime() / 1000);
      const body = JSON.stringify({ kind: 'audit_log.checkpoint', tenantId, entry });
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-audit-timestamp': String(timestamp), 'x-audit-signature': signWebhookBody(body, timestamp, webhook.secret) },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`the checkpoint webhook answered ${response.status}`);
      await (await deliveries()).updateOne({ _id: `${name}:${tenantId}` }, { $set: { tenantId, sink: name, entry, deliveredAt: clock() } }, { upsert: true });
    },
  };
}
