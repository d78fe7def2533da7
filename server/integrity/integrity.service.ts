import type { ObjectId } from 'mongodb';
import type { Logger } from 'pino';
import type { HostDatabase } from '../db/host-database';
import { AuditLogError } from '../errors';
import { DEFAULT_LOG_NAME, type TCheckpoint } from './checkpoint';
import type { CheckpointPublishingSettings } from './checkpoint-publisher';
import { createIntegrityRepository } from './integrity.repository';
import { consistencyProofRanges, inclusionProofRanges, rangeHashes, rangeNodes, type NodeAddress } from './merkle';
import { createSealer, eventLeafHash, SEALER_DEFAULTS, type SealableEvents, type SealerSettings } from './sealer';
import { parseSignerKey, publicKeyFrom, verifierKeyText, type TPublicKeyConfig } from './signing-keys';
import { verifyLog, type VerifiableEvents } from './verify-log';
import type { TVerifyInput } from './verify.schema';

export interface IntegritySettings {
  /** The signer key text (PRIVATE+KEY+…), from configuration or a key file; never the database. */
  signingKey?: string;
  /** Every public key checkpoints may be signed with, each with its validity; the signer's own is added. */
  publicKeys?: TPublicKeyConfig[];
  /** The origin's first part: `<logName>/<tenant>`. */
  logName?: string;
  /** Run the background sealer in this process (default: when a signing key is given). */
  seal?: boolean;
  sealer?: Partial<SealerSettings>;
  /** Where checkpoints signed here are also published: a chain file per tenant, the tenant's webhook, more sinks. */
  publish?: CheckpointPublishingSettings;
}

export interface IntegrityDeps {
  db: HostDatabase;
  events: SealableEvents & VerifiableEvents & { byId(tenantId: string, id: ObjectId): Promise<(object & { _id: ObjectId; integrity?: { position: number } }) | null>; ensureIndexes(): Promise<void> };
  logger: Logger;
  settings?: IntegritySettings;
  clock?: () => Date;
  /** Each checkpoint this process signs (publishing, checkpoint-publisher.ts). */
  onCheckpoint?: (checkpoint: TCheckpoint) => void;
}

const key = ({ level, index }: NodeAddress) => `${level}|${index}`;

/** The integrity slice built once: sealer, checkpoints, proofs, verification. */
export function createIntegrity(deps: IntegrityDeps) {
  const settings = deps.settings ?? {};
  const store = createIntegrityRepository(deps.db);
  const signer = settings.signingKey ? parseSignerKey(settings.signingKey) : undefined;
  const configured = (settings.publicKeys ?? []).map(publicKeyFrom);
  const own = signer && !configured.some((known) => known.keyId === signer.keyId) ? [publicKeyFrom({ verifierKey: verifierKeyText(signer) })] : [];
  const keys = [...configured, ...own];
  const sealerSettings = { ...SEALER_DEFAULTS, ...settings.sealer };
  const sealer = createSealer({ events: deps.events, store, signer, logName: settings.logName ?? DEFAULT_LOG_NAME, logger: deps.logger, clock: deps.clock, settings: sealerSettings, onCheckpoint: deps.onCheckpoint });

  async function nodeHashes(tenantId: string, ranges: ReturnType<typeof inclusionProofRanges>): Promise<Buffer[]> {
    const addresses = ranges.flatMap(rangeNodes);
    const nodes = await store.nodes(tenantId, addresses);
    const missing = addresses.find((address) => !nodes.has(key(address)));
    if (missing) throw new AuditLogError('NOT_FOUND', `the stored tree lacks node ${key(missing)}: run verify`);
    return rangeHashes(ranges, (address) => nodes.get(key(address))!.hash);
  }

  return {
    store,
    sealer,
    keys,
    /** The signer key, when this process signs (checkpoints, export manifests). */
    signer,
    /** The stored tree's hashes of these ranges (a proof's), whatever the stored checkpoints say. */
    nodeHashes,
    latestCheckpoint: (tenantId: string): Promise<TCheckpoint | null> => store.latestCheckpoint(tenantId),
    checkpoints: (tenantId: string) => store.checkpoints(tenantId),
    publicKeys: () => keys.map(({ keyId, verifierKey, algorithm, validFrom, validUntil }) => ({ keyId, verifierKey, algorithm, validFrom, validUntil })),

    /** The event's leaf hash as stored now and its path to the latest checkpoint that holds it. */
    async inclusionProof(tenantId: string, eventId: ObjectId) {
      const event = await deps.events.byId(tenantId, eventId);
      if (!event) throw new AuditLogError('NOT_FOUND', 'no such event');
      const position = event.integrity?.position;
      const checkpoint = await store.latestCheckpoint(tenantId);
      if (position === undefined || !checkpoint || checkpoint.size <= position) {
        throw new AuditLogError('NOT_FOUND', 'the event is not in a signed checkpoint yet; try again in a minute');
      }
      const proof = await nodeHashes(tenantId, inclusionProofRanges(position, checkpoint.size));
      return { eventId: eventId.toHexString(), position, leafHash: eventLeafHash(event).toString('base64'), checkpoint, proof: proof.map((hash) => hash.toString('base64')) };
    },

    /** The proof that the tree at `to` extends the tree at `from` (sizes of stored checkpoints). */
    async consistencyProof(tenantId: string, from: number, to: number) {
      const [older, newer] = await Promise.all([store.checkpointAt(tenantId, from), store.checkpointAt(tenantId, to)]);
      if (!older && from !== 0) throw new AuditLogError('NOT_FOUND', `no checkpoint of size ${from}`);
      if (!newer) throw new AuditLogError('NOT_FOUND', `no checkpoint of size ${to}`);
      const proof = await nodeHashes(tenantId, consistencyProofRanges(from, to));
      return { from: older, to: newer, proof: proof.map((hash) => hash.toString('base64')) };
    },

    verify: (tenantId: string, input: TVerifyInput = {}) => verifyLog({ events: deps.events, store, keys, lagBoundMs: sealerSettings.lagBoundMs, clock: deps.clock }, tenantId, input),

    async start(): Promise<void> {
      await Promise.all([store.ensureIndexes(), deps.events.ensureIndexes()]);
      if (settings.seal ?? signer !== undefined) sealer.start();
    },
    close: () => sealer.stop(),
  };
}

export type Integrity = ReturnType<typeof createIntegrity>;
