import pino from 'pino';
import { createReadRecorder } from '../../server/events/read-recorder';
import type { TAuditEventInput } from '../../server/events/event.schema';

const caller = { tenantId: 'tenant-a', actorId: 'admin-1', actorName: 'Ada', role: 'admin' };

function setup() {
  const recorded: TAuditEventInput[] = [];
  let now = 0;
  const reads = createReadRecorder({
    record: (event) => (recorded.push(event), 'id'),
    logger: pino({ level: 'silent' }),
    throttleMs: 60_000,
    clock: () => now,
  });
  return { recorded, reads, advance: (ms: number) => (now += ms) };
}

describe('recording reads of the audit log', () => {
  it('records who searched for what, in the caller’s tenant', () => {
    const { recorded, reads } = setup();
    reads.searched(caller, { actions: ['record.deleted'] }, 'req-1');
    expect(recorded).toEqual([
      expect.objectContaining({
        tenantId: 'tenant-a',
        actor: { id: 'admin-1', name: 'Ada', role: 'admin' },
        action: 'audit_log.viewed',
        metadata: { filters: { actions: ['record.deleted'] } },
      }),
    ]);
  });

  it('records the same search once per window, however many pages are read', () => {
    const { recorded, reads, advance } = setup();
    for (let page = 0; page < 20; page++) reads.searched(caller, { search: 'acme' }, `req-${page}`);
    advance(60_000);
    reads.searched(caller, { search: 'acme' }, 'req-later');
    expect(recorded).toHaveLength(2);
  });

  it('records a different search at once', () => {
    const { recorded, reads } = setup();
    reads.searched(caller, { search: 'acme' }, 'req-1');
    reads.searched(caller, { search: 'globex' }, 'req-2');
    expect(recorded).toHaveLength(2);
  });

  it('does not fail the read when the recorder refuses the event', () => {
    const reads = createReadRecorder({
      record: () => { throw new Error('overloaded'); },
      logger: pino({ level: 'silent' }),
    });
    expect(() => reads.opened(caller, 'a'.repeat(24), 'req-1')).not.toThrow();
  });
});
