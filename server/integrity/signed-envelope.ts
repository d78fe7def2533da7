import { z } from 'zod';

/**
 * A signed JSON document as a DSSE envelope (in-toto / Sigstore's Dead Simple Signing Envelope,
 * github.com/secure-systems-lab/dsse): the payload travels as the exact bytes that were signed
 * (base64), so no canonical JSON is needed to check it, and the signature covers the payload type
 * too (PAE), so a manifest's signature can never pass for another kind of document's. Ed25519.
 */
export const ZSignedEnvelope = z
  .object({
    payloadType: z.string().min(1).max(200),
    payload: z.base64({ message: 'payload: expected base64' }),
    signatures: z.array(z.object({ keyid: z.string().min(1).max(200), sig: z.base64({ message: 'sig: expected base64' }) }).strict()).min(1).max(8),
  })
  .strict();
export type TSignedEnvelope = z.infer<typeof ZSignedEnvelope>;

/** DSSE v1 pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** Signs with the log's key (signing-keys.ts): the same Ed25519 key as the checkpoints, so one public key checks both. */
export interface EnvelopeSigner {
  keyId: string;
  sign(message: Buffer): Buffer;
}

/** Whether `signature` over `message` verifies under the key `keyId`; 'unknown key' when the verifier holds no such key. */
export type EnvelopeVerifier = (keyId: string, message: Buffer, signature: Buffer) => boolean | 'unknown key';

export function signEnvelope(payloadType: string, document: unknown, signer: EnvelopeSigner): TSignedEnvelope {
  const payload = Buffer.from(JSON.stringify(document), 'utf8');
  const sig = signer.sign(preAuthEncoding(payloadType, payload)).toString('base64');
  return { payloadType, payload: payload.toString('base64'), signatures: [{ keyid: signer.keyId, sig }] };
}

export type EnvelopeCheck = { ok: true; keyId: string; document: unknown } | { ok: false; reason: string };

/**
 * The envelope's document when one of its signatures verifies under a key the verifier knows and
 * its type is `payloadType`; else why not. The document is still to be parsed by the caller's schema.
 */
export function openEnvelope(envelope: TSignedEnvelope, payloadType: string, verifySignature: EnvelopeVerifier): EnvelopeCheck {
  if (envelope.payloadType !== payloadType) return { ok: false, reason: `payload type is ${JSON.stringify(envelope.payloadType)}, expected ${payloadType}` };
  const payload = Buffer.from(envelope.payload, 'base64');
  const signed = preAuthEncoding(envelope.payloadType, payload);
  const unknownKeys: string[] = [];
  for (const { keyid, sig } of envelope.signatures) {
    const verified = verifySignature(keyid, signed, Buffer.from(sig, 'base64'));
    if (verified === 'unknown key') unknownKeys.push(keyid);
    if (verified !== true) continue;
    try {
      return { ok: true, keyId: keyid, document: JSON.parse(payload.toString('utf8')) as unknown };
    } catch {
      return { ok: false, reason: 'the signed payload is not JSON' };
    }
  }
  if (unknownKeys.length === envelope.signatures.length) return { ok: false, reason: `signed with key ${unknownKeys.join(', ')}, which is not among the public keys given` };
  return { ok: false, reason: 'the signature does not verify with the public key' };
}
