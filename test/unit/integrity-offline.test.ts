import { Readable } from 'node:stream';
import { ObjectId } from 'mongodb';
import { storedForm, type StoredEventV2 } from '../../server/events';
import {
  chainEntry,
  chainLines,
  EVENT_LEAF_CODEC,
  exportLeafOf,
  exportLine,
  exportValuesOf,
  generateSigningKey,
  leafHash,
  MemoryMerkleTree,
  openExportManifest,
  parsePublicKeyFile,
  parseSignerKey,
  signCheckpoint,
  signExportManifest,
  verifyCheckpointChain,
  verifyExportFile,
  verifyExportLine,
  type TExportManifest,
} from '../../server/integrity';
import { createHash } from 'node:crypto';

/**
 * The offline verifier's pure parts: checkpoint chains, signed manifests, NDJSON lines and whole
 * export files, against trees built in memory the way the sealer builds the stored one.
 */
const pair = generateSigningKey('audit.test-2026');
const signer = parseSignerKey(pair.signerKey);
const keys = parsePublicKeyFile(`${pair.verifierKey}\n`);
const otherSigner = parseSignerKey(generateSigningKey('audit.test-2026').signerKey);
const TENANT = 'tenant-x';

function storedEvent(index: number): StoredEventV2 {
  const nameSalt = storedForm.newSalt();
  const name = `Person ${index}`;
  return {
    _id: new ObjectId(index.toString(16).padStart(24, '0')),
    v: 2,
    tenantId: TENANT,
    occurredAt: new Date(Date.UTC(2026, 11, 1, 0, index)),
    receivedAt: new Date(Date.UTC(2026, 11, 1, 0, index, 1)),
    actor: { id: `user-${index}`, type: 'user', name: storedForm.commit(name, nameSalt) },
    action: 'contact.updated',
    description: '{actor.name} updated a contact',
    changes: [],
    editCount: 0,
    status: 'success',
    context: {},
    personal: [{ key: 'actor.name', value: storedForm.canonicalJson(name), salt: nameSalt, subjects: [{ kind: 'user', id: `user-${index}` }] }],
    search: { description: `${name} updated a contact`, actorName: name },
  } as StoredEventV2;
}

function treeOf(events: StoredEventV2[]): MemoryMerkleTree {
  const tree = new MemoryMerkleTree();
  tree.append(events.map((event) => leafHash(storedForm.canonicalBytes(exportLeafOf(event)))));
  return tree;
}

const checkpointOf = (tree: MemoryMerkleTree, size: number, key = signer, minute = size) =>
  signCheckpoint({ tenantId: TENANT, size, rootHash: tree.root(size).toString('base64'), time: new Date(Date.UTC(2026, 11, 1, 1, minute)) }, key);

describe('checkpoint chains', () => {
  const events = Array.from({ length: 13 }, (_, index) => storedEvent(index));
  const tree = treeOf(events);
  const chainOf = (sizes: number[], source = tree) =>
    sizes.map((size, i) => chainEntry(checkpointOf(source, size), i === 0 ? undefined : { fromSize: sizes[i - 1]!, proof: source.consistencyProof(sizes[i - 1]!, size) }));

  it('verifies a chain whose every step is append-only and signed', () => {
    expect(verifyCheckpointChain(chainOf([3, 8, 13]), keys)).toMatchObject({ ok: true, entries: 3, tenantId: TENANT, latest: { size: 13 } });
  });

  it('names the entry whose tree does not extend the one before: a log rewritten and re-signed with the real key', () => {
    const rewritten = treeOf(events.map((event, index) => (index === 1 ? { ...event, action: 'contact.deleted' } : event)));
    const published = chainOf([3])[0]!;
    const later = chainEntry(checkpointOf(rewritten, 8), { fromSize: 3, proof: rewritten.consistencyProof(3, 8) });
    expect(verifyCheckpointChain([published, later], keys)).toMatchObject({ ok: false, entry: 2, kind: 'inconsistent' });
  });

  it('refuses a checkpoint signed with another key', () => {
    const [first, second] = chainOf([3, 8]);
    const forged = { ...second!, checkpoint: checkpointOf(tree, 8, otherSigner).note };
    expect(verifyCheckpointChain([first, forged], keys)).toMatchObject({ ok: false, entry: 2, kind: 'bad_signature' });
  });

  it('refuses a tree that shrank and a step without its proof', () => {
    const [first, second] = chainOf([3, 8]);
    expect(verifyCheckpointChain([second, chainEntry(checkpointOf(tree, 3))], keys)).toMatchObject({ ok: false, entry: 2, kind: 'shrunk' });
    expect(verifyCheckpointChain([first, { checkpoint: second!.checkpoint }], keys)).toMatchObject({ ok: false, entry: 2, kind: 'inconsistent' });
  });

  it('reads a chain file line by line, a line that is not JSON failing as malformed with its number', () => {
    const text = `${chainOf([3, 8]).map((entry) => JSON.stringify(entry)).join('\n')}\nnot json\n`;
    expect(verifyCheckpointChain(chainLines(text), keys)).toMatchObject({ ok: false, entry: 3, kind: 'malformed' });
  });
});

describe('signed manifests', () => {
  const manifest: TExportManifest = {
    version: 1,
    exportId: '0'.repeat(24),
    tenantId: TENANT,
    format: 'csv',
    filters: {},
    requestedAt: '2026-12-01T02:00:00.000Z',
    signedAt: '2026-12-01T02:00:05.000Z',
    file: { name: 'a.csv', bytes: 3, sha256: 'a'.repeat(64), rows: 1 },
    positions: { first: 0, last: 0, count: 1 },
    checkpoint: 'x',
    proofs: 'none',
  };

  it('opens with the public key alone', () => {
    expect(openExportManifest(signExportManifest(manifest, signer), keys)).toMatchObject({ ok: true, manifest, keyId: signer.keyId });
  });

  it('fails when one byte of the signed payload changes', () => {
    const envelope = signExportManifest(manifest, signer);
    const payload = Buffer.from(envelope.payload, 'base64');
    payload[payload.indexOf('"rows":1') + 7] = '2'.charCodeAt(0);
    expect(openExportManifest({ ...envelope, payload: payload.toString('base64') }, keys)).toMatchObject({ ok: false, reason: expect.stringContaining('does not verify') });
  });

  it('fails for a key the verifier does not hold, and outside the key file\'s validity window', () => {
    expect(openExportManifest(signExportManifest(manifest, otherSigner), keys)).toMatchObject({ ok: false });
    const expired = parsePublicKeyFile(JSON.stringify([{ verifierKey: pair.verifierKey, validUntil: '2026-12-01T00:00:00.000Z' }]));
    expect(openExportManifest(signExportManifest(manifest, signer), expired)).toMatchObject({ ok: false, reason: expect.stringContaining('not valid') });
  });
});

describe('NDJSON export lines and files', () => {
  const events = Array.from({ length: 9 }, (_, index) => storedEvent(index));
  const tree = treeOf(events);
  const root = { size: tree.size, root: tree.root() };
  const lineOf = (event: StoredEventV2, position: number) => {
    const leaf = exportLeafOf(event);
    return exportLine(position, leaf, tree.inclusionProof(position), exportValuesOf(event, leaf));
  };

  it('proves each line on its own: its leaf recomputed, its values opened, its inclusion in the tree', () => {
    events.forEach((event, position) => expect(verifyExportLine(lineOf(event, position), root, EVENT_LEAF_CODEC)).toEqual({ ok: true, position }));
  });

  it('fails a line whose event was changed, whose value was changed, or that claims another position', () => {
    const line = JSON.parse(lineOf(events[4]!, 4));
    expect(verifyExportLine(JSON.stringify({ ...line, leaf: { ...line.leaf, action: 'contact.deleted' } }), root, EVENT_LEAF_CODEC)).toMatchObject({ ok: false, reason: expect.stringContaining('inclusion proof fails') });
    const values = [{ ...line.values[0], value: '"Someone Else"' }];
    expect(verifyExportLine(JSON.stringify({ ...line, values }), root, EVENT_LEAF_CODEC)).toMatchObject({ ok: false, reason: expect.stringContaining('not the one the event committed to') });
    expect(verifyExportLine(JSON.stringify({ ...line, position: 5 }), root, EVENT_LEAF_CODEC)).toMatchObject({ ok: false });
  });

  it('still proves a line whose personal value was erased (value and salt gone, the commitment stays)', () => {
    const erased = { ...events[2]!, personal: [] };
    expect(verifyExportLine(lineOf(erased, 2), root, EVENT_LEAF_CODEC)).toEqual({ ok: true, position: 2 });
  });

  function signedFile(): { file: Buffer; manifest: unknown } {
    const file = Buffer.from(`${events.map((event, position) => lineOf(event, position)).join('\n')}\n`);
    const checkpoint = checkpointOf(tree, tree.size);
    const manifest = signExportManifest(
      {
        version: 1, exportId: '1'.repeat(24), tenantId: TENANT, format: 'ndjson', filters: {}, requestedAt: '2026-12-01T02:00:00.000Z', signedAt: '2026-12-01T02:00:05.000Z',
        file: { name: 'a.ndjson', bytes: file.length, sha256: createHash('sha256').update(file).digest('hex'), rows: events.length },
        positions: { first: 0, last: events.length - 1, count: events.length }, checkpoint: checkpoint.note, proofs: 'per_line',
      },
      signer,
    );
    return { file, manifest };
  }

  it('verifies a whole file against its manifest', async () => {
    const { file, manifest } = signedFile();
    expect(await verifyExportFile(Readable.from([file.subarray(0, 100), file.subarray(100)]), manifest, keys, EVENT_LEAF_CODEC)).toMatchObject({ ok: true, linesVerified: events.length });
  });

  it('fails the file when any one byte is flipped', async () => {
    const { file, manifest } = signedFile();
    for (const at of [0, 17, Math.floor(file.length / 2), file.length - 2, file.length - 1]) {
      const flipped = Buffer.from(file);
      flipped[at] = flipped[at]! ^ 0x01;
      const verdict = await verifyExportFile(Readable.from([flipped]), manifest, keys, EVENT_LEAF_CODEC);
      expect(verdict).toMatchObject({ ok: false, problems: expect.arrayContaining([expect.stringContaining('SHA-256')]) });
    }
  });

  it('names the line that does not verify, even when the manifest were re-signed for the changed file', async () => {
    const { file } = signedFile();
    const lines = file.toString().split('\n');
    lines[3] = lines[3]!.replace('contact.updated', 'contact.deleted');
    const changed = Buffer.from(lines.join('\n'));
    const opened = openExportManifest(signedFile().manifest, keys);
    if (!opened.ok) throw new Error(opened.reason);
    const resigned = signExportManifest({ ...opened.manifest, file: { ...opened.manifest.file, bytes: changed.length, sha256: createHash('sha256').update(changed).digest('hex') } }, signer);
    const verdict = await verifyExportFile(Readable.from([changed]), resigned, keys, EVENT_LEAF_CODEC);
    expect(verdict).toMatchObject({ ok: false, problems: [expect.stringMatching(/^line 4: position 3: .*inclusion proof fails/)] });
  });
});
