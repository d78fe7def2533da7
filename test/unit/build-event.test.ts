import { createActionCatalog } from '../../server/events/action-catalog';
import { buildAuditEvent } from '../../server/events/event-recorder';
import type { AuditScope } from '../../server/request-scope/audit-context';
import { AuditEventValidationError, ZBuiltEventInput, type TAuditEventInput } from '../../server/events/event.schema';
import { z } from 'zod';

const catalog = createActionCatalog([{ name: 'deal.stage_changed', label: 'Deal stage changed', metadata: z.object({ stage: z.string() }) }]);
const now = new Date('2026-01-02T03:04:05Z');
const id = '65a1b2c3d4e5f60718293a4b';
const scope: AuditScope = {
  tenantId: 'tenant-a',
  actor: { id: 'u1', name: 'Ada', type: 'user', role: 'admin' },
  request: { ip: '203.0.113.9', sessionId: 's1', deviceType: 'desktop', requestId: 'r1' },
};

function problemsOf(input: unknown, withScope: AuditScope | null = scope): string[] {
  try {
    buildAuditEvent(input as TAuditEventInput, { catalog, now, id, scope: withScope ?? undefined });
  } catch (error) {
    expect(error).toBeInstanceOf(AuditEventValidationError);
    return (error as AuditEventValidationError).problems.map(({ path, message }) => `${path}: ${message}`);
  }
  throw new Error('expected a validation error');
}

describe('buildAuditEvent', () => {
  it('fills tenant, actor and request context from the scope', () => {
    const event = buildAuditEvent({ action: 'record.viewed', description: 'Viewed contact', subject: { type: 'contact', id: 'c1' } }, { catalog, now, id, scope });
    expect(event).toMatchObject({
      id,
      tenantId: 'tenant-a',
      actor: { id: 'u1', name: 'Ada', type: 'user', role: 'admin' },
      context: { ip: '203.0.113.9', sessionId: 's1', deviceType: 'desktop', requestId: 'r1' },
      occurredAt: now,
      receivedAt: now,
      status: 'success',
      editCount: 0,
      changes: [],
    });
  });

  it('lets explicit values win over the scope', () => {
    const event = buildAuditEvent(
      { action: 'user.login', description: 'Signed in', tenantId: 'tenant-b', actor: { id: 'u9' }, context: { ip: '198.51.100.1' } },
      { catalog, now, id, scope },
    );
    expect(event.tenantId).toBe('tenant-b');
    expect(event.actor).toEqual({ id: 'u9', type: 'user' });
    expect(event.context.ip).toBe('198.51.100.1');
    expect(event.context.sessionId).toBe('s1');
  });

  it('counts changes as edits unless told otherwise', () => {
    const event = buildAuditEvent(
      { action: 'record.updated', description: 'Updated', changes: [{ field: 'a', before: 1, after: 2 }, { field: 'b', after: 'x' }] },
      { catalog, now, id, scope },
    );
    expect(event.editCount).toBe(2);
  });

  it('names the field of each problem', () => {
    const problems = problemsOf({ action: 'Record Updated', description: '', editCount: -1, actor: { id: '' } });
    expect(problems).toEqual(
      expect.arrayContaining([
        'action: action names look like "record.updated"',
        'description: must not be empty',
        expect.stringMatching(/^editCount: /),
        'actor.id: must not be empty',
      ]),
    );
  });

  it('requires tenant and actor when there is no request context', () => {
    expect(problemsOf({ action: 'record.viewed', description: 'x' }, null)).toEqual([
      'tenantId: required (no request context to take it from)',
      'actor: required (no request context to take it from)',
    ]);
  });

  it('refuses unknown actions and says how to register them', () => {
    expect(problemsOf({ action: 'deal.won', description: 'x' })).toEqual([
      'action: unknown action "deal.won" (register it in createAuditLog({ actions }))',
    ]);
  });

  it("checks metadata against the action's own schema", () => {
    expect(problemsOf({ action: 'deal.stage_changed', description: 'x', metadata: { stage: 3 } })).toEqual([
      expect.stringMatching(/^metadata\.stage: /),
    ]);
    expect(problemsOf({ action: 'invoice.posted', description: 'x', metadata: { amount: 10, currency: 'euro' } })).toEqual([
      'metadata.currency: ISO 4217 code such as EUR',
    ]);
  });

  it('requires a reason for failures', () => {
    expect(problemsOf({ action: 'user.login_failed', description: 'x', status: 'failure', metadata: { attemptedIdentity: 'a@b.c' } })).toEqual([
      'failureReason: required when status is "failure"',
    ]);
  });

  it('bounds text and replaces NUL characters that MongoDB-protocol servers refuse', () => {
    expect(problemsOf({ action: 'record.viewed', description: 'x'.repeat(2_001) })).toEqual(['description: must be at most 2000 characters']);
    const event = buildAuditEvent({ action: 'record.viewed', description: 'a\u0000b' }, { catalog, now, id, scope });
    expect(event.description).toBe('a\uFFFDb');
  });

  it('reports the message of AuditEventValidationError as one readable line', () => {
    const error = new AuditEventValidationError([
      { path: 'action', message: 'bad' },
      { path: 'description', message: 'empty' },
    ]);
    expect(error.message).toBe('Invalid audit event: action: bad; description: empty');
  });

  it("takes the plugin's change values as built, and still checks what comes from the host's data", () => {
    const built = { inputSchema: ZBuiltEventInput, catalog, now, id, scope };
    const value = { nested: [1, 'two', null] };
    const event = buildAuditEvent({ action: 'record.updated', description: 'Updated contact', subject: { type: 'contact', id: 'c1' }, changes: [{ field: 'notes', before: value, after: 'x' }] }, built);
    expect(event.changes).toEqual([{ field: 'notes', before: value, after: 'x' }]);
    const tooMany = Array.from({ length: 501 }, (_, index) => ({ field: `f${index}`, after: index }));
    const invalid = { action: 'record.updated', description: '', subject: { type: 'contact', id: ' ', name: 'n'.repeat(301) }, changes: [{ field: 'f'.repeat(201), after: 1 }] };
    const problems = (input: unknown) => {
      try {
        buildAuditEvent(input as TAuditEventInput, built);
      } catch (error) {
        return (error as AuditEventValidationError).problems.map(({ path }) => path);
      }
      return [];
    };
    expect(problems(invalid)).toEqual(['subject.id', 'subject.name', 'description', 'changes.0.field']);
    expect(problems({ action: 'record.updated', description: 'Updated contact', changes: tooMany })).toEqual(['changes']);
  });
});
