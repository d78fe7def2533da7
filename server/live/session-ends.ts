import { z } from 'zod';
import type { TAuditCaller } from '../access';
import type { RedisFanout } from './redis-fanout';

/**
 * "This session (or this user) may no longer read": the host says so on sign-out, demotion or
 * deactivation (`auditLog.endSessions`), every API instance hears it, and each closes the live
 * streams it holds for that caller.
 */
export const ZSessionEnd = z.object({
  tenantId: z.string().min(1).max(128),
  /** The session the host named in `resolveActor` (`sessionId`): that session's streams close. */
  sessionId: z.string().min(1).max(200).optional(),
  /** Every stream of this user closes (demotion, deactivation). */
  actorId: z.string().min(1).max(128).optional(),
});
export type TSessionEnd = z.infer<typeof ZSessionEnd>;

/** Pure: whether an announced end applies to a stream's caller. One without session or user ends nothing. */
export function endsCaller(ended: TSessionEnd, caller: TAuditCaller): boolean {
  if (ended.tenantId !== caller.tenantId) return false;
  if (ended.actorId !== undefined && ended.actorId === caller.actorId) return true;
  return ended.sessionId !== undefined && ended.sessionId === caller.sessionId;
}

export interface SessionEnds {
  /** Tells every instance; resolves once Redis took it. */
  end(ended: TSessionEnd): Promise<void>;
  /** Calls the listener with each end announced on any instance; returns the function that removes it. */
  onEnd(listener: (ended: TSessionEnd) => void): () => void;
}

const TOPIC = 'ended';

export function createSessionEnds(fanout: RedisFanout<TSessionEnd>): SessionEnds {
  return {
    end: (ended) => fanout.publish(TOPIC, ZSessionEnd.parse(ended)),
    onEnd: (listener) => fanout.subscribe(TOPIC, listener),
  };
}
