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
    return (popped ?? []).map((text) => this.bson.EJSON.parse(text, { relaxed: false }) as EventDocument);
  }

  async length(): Promise<number> {
    return this.redis.llen(this.spillKey);
  }

  async keepRejected(entries: Array<{ document: EventDocument; reason: string }>): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.rpush(this.rejectedKey, ...entries.map((entry) => this.bson.EJSON.stringify(entry, { relaxed: false })));
  }
}
