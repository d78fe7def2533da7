/**
 * The integrity slice's capture face: what the composition root needs to seal what a host writes
 * (the service, the leaf hash the writers note, the publisher, export proofs), without the slice's
 * tRPC router. A host that only captures then never loads the tRPC edge through this slice
 * (docs/PERFORMANCE.md, issue 17: the resident heap). `./index` is everything.
 */
export { createIntegrity, type Integrity, type IntegritySettings } from './integrity.service';
export { eventLeafHash } from './sealer';
export { consistencyProofRanges } from './merkle';
export { checkpointPublisherFrom, type CheckpointPublisher } from './checkpoint-publisher';
export { exportProofsOf } from './export-proofs';
