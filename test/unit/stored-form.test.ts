import { ObjectId } from 'mongodb';
import {
  canonicalBytes,
  canonicalJson,
  CanonicalEncodingError,
  commit,
  commitCanonical,
  hashedPartBytes,
  newSalt,
  renderTemplate,
  toTemplate,
  verifyCommitment,
  ZHashedPart,
  type StoredEventV2,
} from '../../server/events/stored-form';

describe('the canonical encoding', () => {
  it('writes RFC 8785\'s own sample exactly as the RFC does', () => {
    const sample = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(sample)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts keys by UTF-16 code units, as RFC 8785 §3.2.3 does', () => {
    const keys = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    // The values in the order they are written (JSON.parse would move the integer-like key first).
    expect([...canonicalJson(keys).matchAll(/:"([^"]+)"/g)].map((match) => match[1])).toEqual([
      'Carriage Return', 'One', 'Control', 'Latin Small Letter O With Diaeresis', 'Euro Sign', 'Emoji: Grinning Face', 'Hebrew Letter Dalet With Dagesh',
    ]);
  });

  it('writes every string, and every key, as JSON.stringify does (the plain-ASCII shortcut included)', () => {
    const units = Array.from({ length: 0x100 }, (_, unit) => String.fromCharCode(unit));
    for (const text of [...units, ...units.map((unit) => `a${unit}b`), '', '\u2028\u2029', '\ud83d\ude00']) {
      expect(canonicalJson(text)).toBe(JSON.stringify(text));
      expect(canonicalJson({ [text]: 1 })).toBe(`{${JSON.stringify(text)}:1}`);
    }
    expect(() => canonicalJson({ ['k\udc00']: 1 })).toThrow('cannot encode k\udc00 canonically: a lone surrogate');
  });

  it('leaves out undefined members, writes dates as ISO text and -0 as 0', () => {
    expect(canonicalJson({ b: 1, a: undefined, c: new Date('2026-03-04T05:06:07.008Z'), d: -0, e: { z: [], y: {} } })).toBe(
      '{"b":1,"c":"2026-03-04T05:06:07.008Z","d":0,"e":{"y":{},"z":[]}}',
    );
  });

  it('is UTF-8 and does not normalise: é precomposed and decomposed stay two values', () => {
    expect(canonicalBytes('\u00e9').toString('hex')).toBe('22c3a922');
    expect(canonicalBytes('e\u0301').toString('hex')).toBe('2265cc8122');
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['a lone surrogate', { name: 'a\ud800b' }],
    ['undefined in an array', [1, undefined]],
    ['an ObjectId', { id: new ObjectId('65a1b2c3d4e5f60718293a4b') }],
    ['a bigint', 1n],
    ['an invalid date', new Date('nope')],
  ])('refuses %s', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalEncodingError);
  });

  it('names where the refused value is', () => {
    expect(() => canonicalJson({ a: { b: [1, { c: Number.NaN }] } })).toThrow('cannot encode a.b[1].c canonically: NaN is not a JSON number');
    expect(() => canonicalJson([0, [1, undefined]])).toThrow('cannot encode [1][1] canonically: undefined in an array');
  });
});

describe('salted commitments', () => {
  const salt = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8'; // bytes 0x00…0x1f

  it('are HMAC-SHA256 under the salt of the value\'s canonical encoding (vector from openssl)', () => {
    // printf '"max@example.com"' | openssl dgst -sha256 -mac HMAC -macopt hexkey:000102…1f -binary | base64url
    expect(commit('max@example.com', salt)).toBe('OHBTdOzezCvBPZ0ojTKyEX3AwzJqgNZYq07ZZbDFSE0');
  });

  it('are the same HMAC when the value is given in canonical form (the encoder\'s fast path)', () => {
    expect(commitCanonical('"max@example.com"', salt)).toBe('OHBTdOzezCvBPZ0ojTKyEX3AwzJqgNZYq07ZZbDFSE0');
    const fresh = newSalt();
    const value = { name: 'Zoë', tags: ['a', 'é'], n: 1.5 };
    expect(commitCanonical(canonicalJson(value), fresh)).toBe(commit(value, fresh));
    expect(verifyCommitment(commitCanonical(canonicalJson(value), fresh), { value, salt: fresh })).toBe('verified');
  });

  it('verify with the value and its salt', () => {
    const fresh = newSalt();
    expect(verifyCommitment(commit({ b: [1, 'x'], a: null }, fresh), { value: { a: null, b: [1, 'x'] }, salt: fresh })).toBe('verified');
  });

  it('refuse another value, another salt, or a damaged commitment', () => {
    const commitment = commit('Max', salt);
    expect(verifyCommitment(commitment, { value: 'max', salt })).toBe('mismatch');
    expect(verifyCommitment(commitment, { value: 'Max', salt: newSalt() })).toBe('mismatch');
    expect(verifyCommitment(`${commitment.slice(0, -1)}A`, { value: 'Max', salt })).toBe('mismatch');
    expect(verifyCommitment('not a commitment')).toBe('mismatch');
  });

  it('say "erased" without the value, for a well-formed commitment', () => {
    expect(verifyCommitment(commit('Max', salt))).toBe('erased');
  });

  it('differ for the same value under two salts, so equal values cannot be linked', () => {
    const [first, second] = [newSalt(), newSalt()];
    expect(first).not.toBe(second);
    expect(Buffer.from(first, 'base64url')).toHaveLength(32);
    expect(commit('Max', first)).not.toBe(commit('Max', second));
  });
});

describe('the hashed part', () => {
  const commitment = commit('Grace', 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8');
  const stored: StoredEventV2 = {
    _id: new ObjectId('65a1b2c3d4e5f60718293a4b'),
    v: 2,
    tenantId: 't1',
    occurredAt: new Date('2026-03-04T05:06:07Z'),
    receivedAt: new Date('2026-03-04T05:06:08Z'),
    actor: { id: 'u1', type: 'user' },
    action: 'record.updated',
    subject: { type: 'contact', id: 'c1', name: commitment },
    description: 'Updated contact {subject.name}',
    changes: [],
    editCount: 0,
    status: 'success',
    context: {},
    personal: [{ key: 'subject.name', value: '"Grace"', salt: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8', subjects: [{ kind: 'record', type: 'contact', id: 'c1' }] }],
    search: { description: 'Updated contact Grace', subjectName: 'Grace' },
  };

  it('is the canonical encoding of the hashed members and the id, nothing of the personal or search parts', () => {
    expect(hashedPartBytes(stored).toString('utf8')).toBe(
      '{"action":"record.updated","actor":{"id":"u1","type":"user"},"changes":[],"context":{},"description":"Updated contact {subject.name}",' +
        '"editCount":0,"id":"65a1b2c3d4e5f60718293a4b","occurredAt":"2026-03-04T05:06:07.000Z","receivedAt":"2026-03-04T05:06:08.000Z",' +
        `"status":"success","subject":{"id":"c1","name":"${commitment}","type":"contact"},"tenantId":"t1","v":2}`,
    );
  });

  it('does not change when the personal and search parts are erased', () => {
    const before = hashedPartBytes(stored);
    const erased = { ...stored, personal: [{ key: 'subject.name', subjects: [{ kind: 'record' as const, type: 'contact', id: 'c1' }], erasedAt: new Date() }], search: { description: 'Updated contact [erased]' } };
    expect(hashedPartBytes(erased).equals(before)).toBe(true);
  });

  it('parses as the hashed part schema', () => {
    expect(ZHashedPart.safeParse(JSON.parse(hashedPartBytes(stored).toString('utf8'), (key, value) => (key.endsWith('At') ? new Date(value) : value))).success).toBe(true);
  });
});

describe('description templates', () => {
  const values = [
    { key: 'actor.name', text: 'Max Member' },
    { key: 'subject.name', text: 'Max' },
  ];

  it('reference whole words only, longer values first', () => {
    expect(toTemplate('Max Member updated contact Max (Maxwell)', values)).toBe('{actor.name} updated contact {subject.name} (Maxwell)');
  });

  it('render back to the host\'s text, literal braces included', () => {
    const text = 'Max set {status} to "Max {done}"';
    const template = toTemplate(text, values);
    expect(template).toBe('{subject.name} set {{status}} to "{subject.name} {{done}}"');
    expect(renderTemplate(template, (key) => values.find((value) => value.key === key)?.text)).toBe(text);
  });

  it('render an erased reference as [erased] and keep the rest', () => {
    const template = toTemplate('Max Member updated contact Max', values);
    expect(renderTemplate(template, (key) => (key === 'actor.name' ? 'Max Member' : undefined))).toBe('Max Member updated contact [erased]');
  });

  it('leave text without personal values or braces as it is', () => {
    expect(toTemplate('Invoice posted', values)).toBe('Invoice posted');
    expect(renderTemplate('Invoice posted', () => undefined)).toBe('Invoice posted');
  });
});
