import type { TAuditEvent } from '../../server/events/event.schema';
import { parsePosition, positionAfterEvent } from '../../server/events/live-events.schema';
import { createLiveView, type TrackedLiveMessage } from '../../server/events/live-view';

const at = (ms: number, id: string, description = 'Renamed Jane Doe') =>
  ({ id, receivedAt: new Date(ms), occurredAt: new Date(ms), tenantId: 't', actor: { id: 'u', type: 'user' }, action: 'record.updated', description, changes: [], editCount: 0, status: 'success', context: {} }) as unknown as TAuditEvent;

const a = at(1_000, '65a0c0ffee0000000000000a');
const b = at(2_000, '65a0c0ffee0000000000000b');
const c = at(3_000, '65a0c0ffee0000000000000c');

/** Takes `count` messages from a view fed `inputs`, then stops it. */
async function take(view: ReturnType<typeof createLiveView>, count: number): Promise<TrackedLiveMessage[]> {
  const controller = new AbortController();
  const taken: TrackedLiveMessage[] = [];
  for await (const message of view.messages(controller.signal)) {
    taken.push(message);
    if (taken.length === count) controller.abort();
  }
  return taken;
}

describe('a live view', () => {
  it('delivers a replayed event once when it also arrives live, in arrival order', async () => {
    const view = createLiveView({}, undefined, () => 9_000);
    view.push({ kind: 'batch', events: [a] });
    view.push({ kind: 'missed', position: { since: new Date(0) }, read: Promise.resolve({ events: [a, b] }) });
    view.push({ kind: 'batch', events: [b, c] });
    const messages = await take(view, 3);
    expect(messages.map((message) => message.message.kind === 'event' && message.message.event.id)).toEqual([a.id, b.id, c.id]);
  });

  it('replays only what follows the position it was given', async () => {
    const view = createLiveView({}, undefined, () => 9_000);
    view.push({ kind: 'missed', position: parsePosition(positionAfterEvent(a))!, read: Promise.resolve({ events: [a, b, c] }) });
    const messages = await take(view, 2);
    expect(messages.map((message) => message.message.kind === 'event' && message.message.event.id)).toEqual([b.id, c.id]);
  });

  it('keeps its position at the furthest event delivered when an older one comes after it', async () => {
    const view = createLiveView({}, undefined, () => 9_000);
    view.push({ kind: 'batch', events: [c] });
    view.push({ kind: 'missed', position: { since: new Date(0) }, read: Promise.resolve({ events: [b] }) });
    const messages = await take(view, 2);
    expect(messages.map((message) => message.position)).toEqual([positionAfterEvent(c), positionAfterEvent(c)]);
  });

  it('says reload, with a position at that moment, when the missed events could not be read', async () => {
    const view = createLiveView({}, undefined, () => 9_000);
    view.push({ kind: 'missed', position: { since: new Date(0) }, read: Promise.resolve({ reload: 'too many' }) });
    view.push({ kind: 'batch', events: [c] });
    const messages = await take(view, 2);
    expect(messages[0]).toEqual({ position: 'r9000', message: { kind: 'reload', reason: 'too many' } });
    expect(messages[1]!.message).toEqual({ kind: 'event', event: c });
  });

  it('leaves out events its filters do not match', async () => {
    const view = createLiveView({ search: 'invoice' }, undefined, () => 9_000);
    view.push({ kind: 'batch', events: [a, at(4_000, '65a0c0ffee0000000000000d', 'Paid invoice 7')] });
    const messages = await take(view, 1);
    expect(messages.map((message) => message.message.kind === 'event' && message.message.event.description)).toEqual(['Paid invoice 7']);
  });
});
