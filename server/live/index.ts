/** Live delivery across instances: one Redis channel per kind, listeners per topic. */
export { createRedisFanout, type RedisFanout } from './redis-fanout';
export { createSessionEnds, endsCaller, ZSessionEnd, type SessionEnds, type TSessionEnd } from './session-ends';
export { LIVE_RECHECK_MS, watchLiveCaller, type LiveCallerWatch } from './live-caller-watch';
