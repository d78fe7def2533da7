import type { Binary } from 'mongodb';

/**
 * A stored binary's bytes, as a Buffer of their own: only up to the Binary's `position` (its buffer
 * may be longer than what it holds), and copied, since the driver's value is a view into the whole
 * reply, which a held hash (a frontier, a leaf) would otherwise keep alive (a Buffer too, for a
 * host connection with `promoteBuffers`).
 */
export const storedBytes = (value: Binary | Buffer): Buffer => Buffer.from(Buffer.isBuffer(value) ? value : value.buffer.subarray(0, value.position));
