import type { Logger } from 'pino';
import { chainEntry, entryFields } from './checkpoint-chain';
import type { HostDatabase } from '../db/host-database';
import { createFileCheckpointSink, createWebhookCheckpointSink, type CheckpointSink, type CheckpointWebhook } from './checkpoint-sinks';
import type { TCheckpoint } from './checkpoint';
import { verifyConsistency } from './merkle';

export type PublishOutcome =
  | { sink: string; result: 'published' | 'already_published' }
  | { sink: string; result: 'inconsistent'; detail: string }
  | { sink: string; result: 'failed'; detail: string };

/** A checkpoint that does not extend the one a sink published before: the log was rewritten since. */
export type InconsistencyAlarm = { tenantId: string; sink: string; published: { size: number; rootHash: string }; checkpoint: { size: number; rootHash: string }; detail: string };

export interface CheckpointPublisherDeps {
  sinks: readonly CheckpointSink[];
  /** The log's consistency proof between two tree sizes of the tenant (from the stored tree). */
  consistencyProof(tenantId: string, fromSize: number, toSize: number): Promise<readonly Uint8Array[]>;
  logger: Logger;
  /** Called once per sink that refuses a checkpoint; it is also logged at error level. */
  onInconsistent?: (alarm: InconsistencyAlarm) => void;
}

/**
 * Hands each new checkpoint to every sink, with the consistency proof from that sink's last entry.
 * The proof is checked here against the sink's own copy before anything is appended: a checkpoint
 * over a log that was rewritten (even recomputed whole, with checkpoints re-signed) cannot extend
 * the tree the sink published earlier, so it is refused and raised, never appended. Checkpoints of
 * one tenant are published one at a time in this process.
 */
export function createCheckpointPublisher(deps: CheckpointPublisherDeps) {
  const queues = new Map<string, Promise<unknown>>();

  async function publishTo(sink: CheckpointSink, checkpoint: TCheckpoint): Promise<PublishOutcome> {
    const { tenantId, size, rootHash } = checkpoint;
    const last = await sink.last(tenantId);
    const published = last && entryFields(last);
    if (last && !published) return { sink: sink.name, result: 'failed', detail: 'the sink holds an entry that is not a checkpoint' };
    if (!published) {
      await sink.append(tenantId, chainEntry(checkpoint));
      return { sink: sink.name, result: 'published' };
    }
    if (published.size === size && published.rootHash === rootHash) return { sink: sink.name, result: 'already_published' };
    const extension = await extensionProof(published, checkpoint);
    if (typeof extension === 'string') {
      const detail = extension;
      const alarm: InconsistencyAlarm = { tenantId, sink: sink.name, published: { size: published.size, rootHash: published.rootHash }, checkpoint: { size, rootHash }, detail };
      deps.logger.error(alarm, 'integrity alarm: a new checkpoint is not consistent with the one published earlier');
      deps.onInconsistent?.(alarm);
      return { sink: sink.name, result: 'inconsistent', detail };
    }
    await sink.append(tenantId, chainEntry(checkpoint, { fromSize: published.size, proof: extension }));
    return { sink: sink.name, result: 'published' };
  }

  /** The proof that `checkpoint` extends `published`, or why it does not. */
  async function extensionProof(published: { size: number; rootHash: string }, checkpoint: TCheckpoint): Promise<readonly Uint8Array[] | string> {
    if (checkpoint.size < published.size) return `the log shrank from ${published.size} to ${checkpoint.size} events`;
    const proof = await deps.consistencyProof(checkpoint.tenantId, published.size, checkpoint.size).catch((error: unknown) => error as Error);
    if (proof instanceof Error) return `no consistency proof from ${published.size} to ${checkpoint.size}: ${proof.message}`;
    const consistent = verifyConsistency(published.size, checkpoint.size, Buffer.from(published.rootHash, 'base64'), Buffer.from(checkpoint.rootHash, 'base64'), proof);
    return consistent ? proof : `the tree of ${checkpoint.size} does not extend the published tree of ${published.size} (${published.rootHash})`;
  }

  return {
    /** Publishes to every sink; a failing sink is logged and does not stop the others. */
    publish(checkpoint: TCheckpoint): Promise<PublishOutcome[]> {
      const run = async () =>
        Promise.all(
          deps.sinks.map((sink) =>
            publishTo(sink, checkpoint).catch((error: unknown): PublishOutcome => {
              deps.logger.warn({ err: error, tenantId: checkpoint.tenantId, sink: sink.name, size: checkpoint.size }, 'could not publish a checkpoint');
              return { sink: sink.name, result: 'failed', detail: (error as Error).message };
            }),
          ),
        );
      const previous = queues.get(checkpoint.tenantId) ?? Promise.resolve();
      const next = previous.then(run, run);
      const tail: Promise<unknown> = next.finally(() => queues.get(checkpoint.tenantId) === tail && queues.delete(checkpoint.tenantId));
      queues.set(checkpoint.tenantId, tail);
      return next;
    },
  };
}

export type CheckpointPublisher = ReturnType<typeof createCheckpointPublisher>;

/** Where this process publishes the checkpoints it signs (docs/INTEGRITY.md, "Publishing checkpoints"). */
export interface CheckpointPublishingSettings {
  /** An append-only chain file per tenant in this directory (a mount a database administrator cannot write). */
  directory?: string;
  /** The tenant's signed webhook: one for all tenants, or chosen per tenant (undefined: none for that tenant). */
  webhook?: CheckpointWebhook | ((tenantId: string) => CheckpointWebhook | undefined);
  /** Further sinks, e.g. an object store with write-once objects (the CheckpointSink interface). */
  sinks?: CheckpointSink[];
  onInconsistent?: (alarm: InconsistencyAlarm) => void;
}

/** The publisher for these settings, or undefined when they name no sink. */
export function checkpointPublisherFrom(
  settings: CheckpointPublishingSettings | undefined,
  deps: { db: HostDatabase; logger: Logger; consistencyProof: CheckpointPublisherDeps['consistencyProof']; clock?: () => Date },
): CheckpointPublisher | undefined {
  if (!settings) return undefined;
  const { webhook } = settings;
  const sinks = [
    ...(settings.directory ? [createFileCheckpointSink(settings.directory)] : []),
    ...(webhook ? [createWebhookCheckpointSink({ webhookOf: typeof webhook === 'function' ? webhook : () => webhook, db: deps.db, clock: deps.clock })] : []),
    ...(settings.sinks ?? []),
  ];
  if (sinks.length === 0) return undefined;
  return createCheckpointPublisher({ sinks, consistencyProof: deps.consistencyProof, logger: deps.logger, onInconsistent: settings.onInconsistent });
}
