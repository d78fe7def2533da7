import pino from 'pino';
import { createAuditLog } from '../../plugins';
import { connectTestMongo, type TestMongo } from '../helpers/test-databases';

let db: TestMongo;

beforeAll(async () => {
  db = await connectTestMongo('hooks_restart');
});

afterAll(() => db.drop());

describe('starting again on kept data', () => {
  it('creates the audit log a second time on a database that already has its indexes', async () => {
    const logger = pino({ level: 'silent' });
    await (await createAuditLog({ connection: db.connection, logger })).close();
    const again = await createAuditLog({ connection: db.connection, logger });
    again.record({ tenantId: 't', actor: { id: 'system', type: 'system' }, action: 'record.viewed', description: 'After a restart' });
    await again.close();
    expect(await db.connection.collection('audit_events').countDocuments({ tenantId: 't' })).toBe(1);
  });
});
