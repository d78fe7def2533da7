import { checkpointBody, parseCheckpointNote, signCheckpoint, verifyCheckpoint } from '../../server/integrity/checkpoint';
import { generateSigningKey, parseSignerKey, parseVerifierKey, publicKeyFrom, SigningKeyFormatError, signingKeyFromSeed, verifyBytes } from '../../server/integrity/signing-keys';

/**
 * A fixed key so the encoding below is a test vector (docs/INTEGRITY.md quotes it): Ed25519 is
 * deterministic, so the same seed and body always give the same note.
 */
const SEED = Buffer.alloc(32, 7);
const NAME = 'audit.example.com-2026';
const FIXED = signingKeyFromSeed(NAME, SEED);
const FIELDS = { tenantId: 'acme corp/eu', size: 8, rootHash: Buffer.from('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328', 'hex').toString('base64'), time: new Date('2026-12-02T04:00:00.000Z') };

/** The test vector docs/INTEGRITY.md quotes: this seed, name and checkpoint give exactly these texts. */
const VECTOR = {
  signerKey: 'PRIVATE+KEY+audit.example.com-2026+d4ae4c86+AQcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH',
  verifierKey: 'audit.example.com-2026+d4ae4c86+AepKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs',
  note:
    'crm-audit-log/acme%20corp%2Feu\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\ntime 2026-12-02T04:00:00.000Z\n\n' +
    '\u2014 audit.example.com-2026 1K5Mhrz3BiV7Cg5vo/ddOX4ND81FYgAqJ1dNAkgigH24hXdUzhQINADIaAxCjzfuD0foLpzNSX8YP4cC3r5HXPDHowI=\n',
};

describe('checkpoints', () => {
  it('gives the documented test vector for a fixed seed', () => {
    expect(FIXED).toEqual({ signerKey: VECTOR.signerKey, verifierKey: VECTOR.verifierKey });
    expect(signCheckpoint(FIELDS, parseSignerKey(VECTOR.signerKey)).note).toBe(VECTOR.note);
    expect(verifyCheckpoint(VECTOR.note, [publicKeyFrom({ verifierKey: VECTOR.verifierKey })])).toMatchObject({ ok: true });
  });

  it('encodes the body as a C2SP checkpoint: origin, size, base64 root, time', () => {
    expect(checkpointBody(FIELDS)).toBe('crm-audit-log/acme%20corp%2Feu\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\ntime 2026-12-02T04:00:00.000Z\n');
  });

  it('signs as a signed note whose signature line names the key and verifies with its public key', () => {
    const signer = parseSignerKey(FIXED.signerKey);
    const checkpoint = signCheckpoint(FIELDS, signer);
    const [body, signatureLine] = checkpoint.note.split('\n\n') as [string, string];
    expect(`${body}\n`).toBe(checkpointBody(FIELDS));
    expect(signatureLine).toMatch(new RegExp(`^\u2014 ${NAME} [A-Za-z0-9+/]{91}=\n$`));
    const bytes = Buffer.from(signatureLine.split(' ')[2]!.trim(), 'base64');
    expect(bytes.readUInt32BE(0)).toBe(signer.keyHash);
    expect(verifyBytes(signer.publicKey, Buffer.from(`${body}\n`), bytes.subarray(4))).toBe(true);
    expect(signCheckpoint(FIELDS, signer).note).toBe(checkpoint.note);
    expect(parseVerifierKey(FIXED.verifierKey).publicKey.equals(signer.publicKey)).toBe(true);
  });

  it('verifies with the matching public key and reads the fields back', () => {
    const { signerKey, verifierKey } = generateSigningKey('log-a');
    const checkpoint = signCheckpoint(FIELDS, parseSignerKey(signerKey));
    const verdict = verifyCheckpoint(checkpoint.note, [publicKeyFrom({ verifierKey })], checkpoint);
    expect(verdict).toEqual({ ok: true, fields: FIELDS, keyId: checkpoint.keyId });
    expect(parseCheckpointNote(checkpoint.note)?.fields).toEqual(FIELDS);
  });

  it('refuses a note whose body was changed after signing', () => {
    const { signerKey, verifierKey } = generateSigningKey('log-a');
    const note = signCheckpoint(FIELDS, parseSignerKey(signerKey)).note.replace('\n8\n', '\n9\n');
    expect(verifyCheckpoint(note, [publicKeyFrom({ verifierKey })])).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a checkpoint signed by a key it does not know, even one with the same name', () => {
    const trusted = generateSigningKey('log-a');
    const impostor = generateSigningKey('log-a');
    const note = signCheckpoint(FIELDS, parseSignerKey(impostor.signerKey)).note;
    expect(verifyCheckpoint(note, [publicKeyFrom({ verifierKey: trusted.verifierKey })])).toMatchObject({ ok: false, reason: 'unknown_key' });
  });

  it('refuses stored fields that are not the ones signed', () => {
    const { signerKey, verifierKey } = generateSigningKey('log-a');
    const checkpoint = signCheckpoint(FIELDS, parseSignerKey(signerKey));
    expect(verifyCheckpoint(checkpoint.note, [publicKeyFrom({ verifierKey })], { ...checkpoint, size: 7 })).toMatchObject({ ok: false, reason: 'fields_differ' });
  });

  it('picks the key by id after a rotation and holds each key to its validity', () => {
    const old = generateSigningKey('log-2025');
    const current = generateSigningKey('log-2026');
    const keys = [
      publicKeyFrom({ verifierKey: old.verifierKey, validFrom: '2025-01-01T00:00:00Z', validUntil: '2026-06-30T23:59:59Z' }),
      publicKeyFrom({ verifierKey: current.verifierKey, validFrom: '2026-06-01T00:00:00Z' }),
    ];
    const before = signCheckpoint({ ...FIELDS, time: new Date('2026-03-01T00:00:00Z') }, parseSignerKey(old.signerKey));
    const after = signCheckpoint(FIELDS, parseSignerKey(current.signerKey));
    const lateOldKey = signCheckpoint(FIELDS, parseSignerKey(old.signerKey));
    expect(verifyCheckpoint(before.note, keys)).toMatchObject({ ok: true, keyId: keys[0]!.keyId });
    expect(verifyCheckpoint(after.note, keys)).toMatchObject({ ok: true, keyId: keys[1]!.keyId });
    expect(verifyCheckpoint(lateOldKey.note, keys)).toMatchObject({ ok: false, reason: 'key_not_valid_then' });
  });

  it('refuses malformed notes and keys with a reason, without throwing', () => {
    for (const note of ['', 'x\n\n', 'crm-audit-log/a\n01\nAAAA\ntime x\n\n\u2014 k AAAAAAAA\n']) expect(verifyCheckpoint(note, [])).toMatchObject({ ok: false, reason: 'malformed' });
    expect(() => parseVerifierKey('a+b')).toThrow(SigningKeyFormatError);
    const { verifierKey } = generateSigningKey('log-a');
    expect(() => parseVerifierKey(verifierKey.replace(/\+([0-9a-f]{8})\+/, '+00000000+'))).toThrow(/does not match/);
    expect(() => generateSigningKey('has space')).toThrow(SigningKeyFormatError);
  });
});
