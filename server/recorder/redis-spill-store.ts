import type { Redis } from 'ioredis';
import { BSON } from 'mongodb';
import type { EventDocument } from '../events/event.document';
import type { SpillStore } from './batch-recorder';

/**
 * Overflow for the recorder: a Redis list of Extended-JSON documents (ids and dates survive exactly).
 * Shared by every recorder with the same prefix, so a process that starts later writes what an
 * earlier one spilled. `pop` is atomic (LPOP with a count); a crash between pop and insert loses
 * at most that one batch, which is the same guarantee as the in-memory queue.
 */
export class RedisSpillStore implements SpillStore {
  readonly spillKey: string;
  readonly rejectedKey: string;

  constructor(private readonly redis: Redis, prefix: string) {
    this.spillKey = `${prefix}:audit:spill`;
    this.rejectedKey = `${prefix}:audit:rejected`;
  }

  async push(documents: EventDocument[]): Promise<void> {
    if (documents.length === 0) return;
    await this.redis.rpush(this.spillKey, ...documents.map((document) => BSON.EJSON.stringify(document, { relaxed: false })));
  }

  async pop(count: number): Promise<EventDocument[]> {
    const popped = await this.redis.lpop(this.spillKey, count);
    return (popped ?? []).map((text) => BSON.EJSON.parse(text, { relaxed: false }) as EventDocument);
  }

  async length(): Promise<number> {
    return this.redis.llen(this.spillKey);
  }

  async keepRejected(entries: Array<{ document: EventDocument; reason: string }>): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.rpush(this.rejectedKey, ...entries.map((entry) => BSON.EJSON.stringify(entry, { relaxed: false })));
  }
}
