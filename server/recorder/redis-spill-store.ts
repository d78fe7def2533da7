import type { Redis } from 'ioredis';
import type { BSON } from 'mongodb';
import type { RecordedDocument, SpillStore } from './batch-recorder';

/**
 * Overflow for the recorder: a Redis list of Extended-JSON documents (ids and dates survive exactly).
 * Shared by every recorder with the same prefix, so a process that starts later writes what an
 * earlier one spilled. `pop` is atomic (LPOP with a count); a crash between pop and insert loses
 * at most that one batch, which is the same guarantee as the in-memory queue.
 */
export class RedisSpillStore<EventDocument extends RecordedDocument> implements SpillStore<EventDocument> {
  readonly spillKey: string;
  readonly rejectedKey: string;

  /** `bson` is the host driver's (server/db/host-database.ts), so spilled ids come back as its ObjectIds. */
  constructor(private readonly redis: Redis, prefix: string, private readonly bson: typeof BSON) {
    this.spillKey = `${prefix}:audit:spill`;
    this.rejectedKey = `${prefix}:audit:rejected`;
  }

  async push(documents: EventDocument[]): Promise<void> {
    if (documents.length === 0) return;
    await this.redis.rpush(this.spillKey, ...documents.map((document) => this.bson.EJSON.stringify(document, { relaxed: false })));
  }

  async pop(count: number): Promise<EventDocument[]> {
    const popped = await this.redis.lpop(this.spillKey, count);
    return (popped ?? []).map((text) => this.decode(text) as EventDocument);
  }

  async length(): Promise<number> {
    return this.redis.llen(this.spillKey);
  }

  /**
   * Rewrites both lists through `transform` (`undefined` drops an entry); answers how many entries
   * changed or were dropped. The list is renamed aside first, so pushes meanwhile land in a new list
   * and are kept; the rewritten entries go back in front of them.
   */
  async rewrite(transform: (document: EventDocument) => EventDocument | undefined): Promise<number> {
    const parse = (text: string) => this.decode(text);
    const spilled = await this.rewriteList(this.spillKey, (text) => {
      const next = transform(parse(text) as EventDocument);
      return next && this.encode(next);
    });
    const rejected = await this.rewriteList(this.rejectedKey, (text) => {
      const entry = parse(text) as { document: EventDocument; reason: string };
      const next = transform(entry.document);
      return next && this.encode({ document: next, reason: entry.reason });
    });
    return spilled + rejected;
  }

  private async rewriteList(key: string, rewriteEntry: (text: string) => string | undefined): Promise<number> {
    const aside = `${key}:rewriting`;
    const moved = await this.redis.rename(key, aside).then(() => true, () => false); // no such list: nothing to do
    if (!moved) return 0;
    const texts = await this.redis.lrange(aside, 0, -1);
    let changed = 0;
    const kept = texts.flatMap((text) => {
      const next = rewriteEntry(text);
      if (next !== text) changed++;
      return next === undefined ? [] : [next];
    });
    const transaction = this.redis.multi();
    if (kept.length > 0) transaction.lpush(key, ...kept.reverse());
    await transaction.del(aside).exec();
    return changed;
  }

  private encode(value: unknown): string {
    return this.bson.EJSON.stringify(value as object, { relaxed: false });
  }

  /** Relaxed: numbers come back as the plain numbers the document held, not BSON Int32/Double wrappers. */
  private decode(text: string): unknown {
    return this.bson.EJSON.parse(text, { relaxed: true });
  }

  async keepRejected(entries: Array<{ document: EventDocument; reason: string }>): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.rpush(this.rejectedKey, ...entries.map((entry) => this.bson.EJSON.stringify(entry, { relaxed: false })));
  }
}
