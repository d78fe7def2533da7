/**
 * The integrity slice's public face: the per-tenant Merkle tree (RFC 9162), signed checkpoints
 * (C2SP checkpoint in a signed note, Ed25519) and the keys they are signed with.
 */
export * from './merkle';
export * from './merkle-frontier';
export { MemoryMerkleTree } from './memory-tree';
export * from './checkpoint';
export * from './signing-keys';
export { createIntegrity, type Integrity, type IntegritySettings } from './integrity.service';
export { createIntegrityRouter } from './integrity.router';
export { eventLeafHash, SEALER_DEFAULTS, type SealableEvents, type Sealer } from './sealer';
export { ZVerifyReport, FAILURE_KINDS, type TVerifyReport } from './verify.schema';
export type { VerifiableEvents } from './verify-log';
export { LOGS_COLLECTION, NODES_COLLECTION, CHECKPOINTS_COLLECTION } from './integrity.repository';
// Offline verification and publishing (exports, manifests, checkpoint chains, sinks):
export * from './signed-envelope';
export * from './verifier-keys';
export * from './checkpoint-chain';
export * from './export-manifest';
export * from './export-lines';
export * from './offline-verify';
export * from './checkpoint-sinks';
export * from './checkpoint-publisher';
export * from './event-leaf-codec';
export * from './export-proofs';
