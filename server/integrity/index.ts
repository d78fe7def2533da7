/**
 * The integrity slice's public face: the per-tenant Merkle tree (RFC 9162), signed checkpoints
 * (C2SP checkpoint in a signed note, Ed25519) and the keys they are signed with.
 */
export * from './merkle';
export * from './merkle-frontier';
export { MemoryMerkleTree } from './memory-tree';
export * from './checkpoint';
export * from './signing-keys';
