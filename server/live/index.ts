/** Live delivery across instances: one Redis channel per kind, listeners per topic. */
export { createRedisFanout, type RedisFanout } from './redis-fanout';
