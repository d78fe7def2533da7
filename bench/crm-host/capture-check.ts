/**
 * Did a plugin capture what a write did? The bench reads the records before and after one request
 * (raw driver), turns the difference into changed paths, and holds each plugin's entries for that
 * request against them. Pure.
 */
import { jsonOf, type CapturedEntry } from './capture';

type Plain = Record<string, unknown>;
/** Bookkeeping fields every plugin may leave out or add: not what a person changed. */
const BOOKKEEPING = new Set(['_id', '__v', 'createdAt', 'updatedAt']);

export interface ObservedWrite {
  expectedKind: 'created' | 'updated' | 'deleted' | 'none';
  /** Per record id: its state before and after (null: absent). */
  records: Map<string, { before: Plain | null; after: Plain | null }>;
}

export interface CaptureVerdict {
  entries: number;
  /** Changed records the entries name (or count, for a multi-record entry). */
  recordsCovered: number;
  recordsChanged: number;
  kindRight: boolean;
  missing: string[];
  unchangedRecorded: number;
  wrongValues: string[];
  beforeValues: boolean;
  actor: boolean;
  /** Entries that do not say which record they are about. */
  unnamed: number;
  /** A create or delete entry that carries no field values at all. */
  noValues: boolean;
  summary: string;
}

/** Changed paths of one record: top-level fields, one level into plain objects; arrays whole. */
export function changedPaths(before: Plain | null, after: Plain | null): Map<string, unknown> {
  const changed = new Map<string, unknown>();
  const was = (jsonOf(before ?? {}) ?? {}) as Plain;
  const now = (jsonOf(after ?? {}) ?? {}) as Plain;
  for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
    if (BOOKKEEPING.has(key)) continue;
    const [a, b] = [was[key], now[key]];
    const nested = (value: unknown) => !!value && typeof value === 'object' && !Array.isArray(value);
    if (nested(a) || nested(b)) {
      for (const inner of new Set([...Object.keys((a ?? {}) as Plain), ...Object.keys((b ?? {}) as Plain)])) {
        const [x, y] = [(a as Plain | undefined)?.[inner], (b as Plain | undefined)?.[inner]];
        if (JSON.stringify(x) !== JSON.stringify(y)) changed.set(`${key}.${inner}`, y);
      }
    } else if (JSON.stringify(a) !== JSON.stringify(b)) changed.set(key, b);
  }
  return changed;
}

/** `activity.2.note` → `activity`; `address.city` stays. Array elements count as their array. */
const recordedPath = (path: string) => path.split('.').slice(0, 2).filter((segment, index) => index === 0 || !/^\d+$/.test(segment)).join('.');

function looselyEqual(recorded: unknown, actual: unknown): boolean {
  if (JSON.stringify(recorded) === JSON.stringify(actual)) return true;
  if (typeof recorded === 'string' && recorded === JSON.stringify(actual)) return true;
  if (recorded !== null && recorded !== undefined && String(recorded) === String(actual)) return true;
  const asDate = (value: unknown) => (typeof value === 'string' || value instanceof Date ? new Date(value as string).getTime() : Number.NaN);
  return !Number.isNaN(asDate(recorded)) && asDate(recorded) === asDate(actual);
}

/** What one record's entries got right and wrong. */
function judgeRecord(changed: Map<string, unknown>, fields: CapturedEntry['fields']) {
  const recorded = fields.filter((field) => !BOOKKEEPING.has(field.path.split('.')[0]!));
  const covers = (path: string) => recorded.some((field) => path === recordedPath(field.path) || path.startsWith(`${recordedPath(field.path)}.`));
  const missing = [...changed.keys()].filter((path) => !covers(path));
  const unchanged = new Set(recorded.map((field) => recordedPath(field.path)).filter((path) => ![...changed.keys()].some((key) => key === path || key.startsWith(`${path}.`))));
  const wrongValues = recorded
    .filter((field) => field.hasAfter && changed.has(field.path) && !looselyEqual(field.after, changed.get(field.path)))
    .map((field) => field.path);
  return { missing, unchangedRecorded: unchanged.size, wrongValues };
}

export function judgeCapture(write: ObservedWrite, entries: readonly CapturedEntry[]): CaptureVerdict {
  const changedRecords = [...write.records].map(([id, states]) => ({ id, changed: changedPaths(states.before, states.after) })).filter((record) => record.changed.size > 0);
  const multi = entries.find((entry) => entry.recordCount > 1);
  const missing = new Set<string>();
  const wrongValues = new Set<string>();
  let unchangedRecorded = 0;
  let covered = 0;
  for (const record of changedRecords) {
    const mine = entries.filter((entry) => entry.recordIds.includes(record.id) || entry === multi || (entry.recordIds.length === 0 && changedRecords.length === 1));
    if (mine.length === 0 && !multi) continue;
    covered++;
    const verdict = judgeRecord(record.changed, mine.flatMap((entry) => entry.fields));
    verdict.missing.forEach((path) => missing.add(path));
    verdict.wrongValues.forEach((path) => wrongValues.add(path));
    unchangedRecorded = Math.max(unchangedRecorded, verdict.unchangedRecorded);
  }
  if (multi) covered = Math.min(changedRecords.length, multi.recordCount);
  const fields = entries.flatMap((entry) => entry.fields);
  const kindRight = write.expectedKind === 'none' ? entries.length === 0 : entries.length > 0 && entries.every((entry) => sameKind(entry.kind, write.expectedKind));
  // A create or delete entry may name the record alone; an update without its fields misses them.
  const noValues = kindRight && fields.length === 0 && (write.expectedKind === 'created' || write.expectedKind === 'deleted');
  const verdict = {
    entries: entries.length,
    recordsCovered: covered,
    recordsChanged: changedRecords.length,
    kindRight,
    noValues,
    missing: noValues ? [] : [...missing],
    unchangedRecorded,
    wrongValues: [...wrongValues],
    beforeValues: fields.length > 0 && fields.some((field) => field.hasBefore),
    actor: entries.length > 0 && entries.every((entry) => !!entry.actor),
    unnamed: entries.filter((entry) => entry.recordIds.length === 0).length,
  };
  return { ...verdict, summary: summarise(write.expectedKind, verdict) };
}

/** A change the plugin does not classify stands for a create or an update, never for a delete. */
const sameKind = (kind: CapturedEntry['kind'], expected: ObservedWrite['expectedKind']) => kind === expected || (kind === 'change' && (expected === 'created' || expected === 'updated'));

function summarise(expected: ObservedWrite['expectedKind'], verdict: Omit<CaptureVerdict, 'summary'>): string {
  const count = (n: number, word: string, plural = `${word}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? word : plural}`;
  if (expected === 'none') return verdict.entries === 0 ? 'nothing (a read)' : `${count(verdict.entries, 'entry', 'entries')} for a read`;
  if (verdict.entries === 0) return 'not recorded';
  const parts = [count(verdict.entries, 'entry', 'entries')];
  if (verdict.recordsCovered < verdict.recordsChanged) parts.push(`${verdict.recordsCovered} of ${verdict.recordsChanged} records`);
  if (!verdict.kindRight) parts.push(`not as a ${expected === 'created' ? 'create' : expected === 'deleted' ? 'delete' : 'update'}`);
  if (verdict.missing.length > 0) parts.push(`misses ${verdict.missing.length > 3 ? `${verdict.missing.length} fields (${verdict.missing.slice(0, 2).join(', ')}…)` : verdict.missing.join(', ')}`);
  if (verdict.wrongValues.length > 0) parts.push(`wrong value: ${verdict.wrongValues.join(', ')}`);
  if (verdict.unchangedRecorded > 0) parts.push(`${count(verdict.unchangedRecorded, 'unchanged field')} recorded as changed`);
  if (verdict.unnamed > 0) parts.push('no record id');
  if (verdict.noValues) parts.push('no field values');
  else {
    if (verdict.missing.length === 0 && verdict.wrongValues.length === 0 && verdict.unchangedRecorded === 0 && verdict.recordsCovered === verdict.recordsChanged) parts.push('diff right');
    parts.push(verdict.beforeValues ? 'before + after' : 'after only');
  }
  if (verdict.actor) parts.push('who');
  return parts.join('; ');
}
