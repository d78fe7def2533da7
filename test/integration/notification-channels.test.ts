import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { waitForExport } from '../helpers/exports';
import { seedEvents } from '../helpers/seed-events';

/**
 * The optional notification channels against real peers: an SMTP server process (smtp-server) for
 * e-mail, an HTTP receiver that checks the webhook's signature the way a tenant's endpoint would.
 */
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const requester = { tenantId: 'tenant-n', actorId: 'admin-n', actorName: 'Nora Admin', actorEmail: 'nora@tenant-n.test', role: 'admin' };

interface SmtpMessage {
  kind: 'message';
  from: string;
  to: string[];
  raw: string;
}
interface WebhookCall {
  body: string;
  signatureValid: boolean;
  timestamp: string;
}

describe('notification channels', () => {
  let smtp: ChildProcess;
  const mail: SmtpMessage[] = [];
  let receiver: Server;
  const hooks: WebhookCall[] = [];
  let stack: AuditStack;
  let worker: Worker;

  beforeAll(async () => {
    smtp = fork(require.resolve('../fixtures/smtp-capture-process.ts'), [], { execArgv: ['--require', require.resolve('../helpers/swc-register.js')], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const smtpPort = await new Promise<number>((ready) =>
      smtp.on('message', (message: { kind: string; port?: number }) => {
        if (message.kind === 'listening') ready(message.port!);
        else mail.push(message as SmtpMessage);
      }),
    );
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const timestamp = String(req.headers['x-audit-timestamp'] ?? '');
        const expected = Buffer.from(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(`${timestamp}.${body}`).digest('hex')}`);
        const given = Buffer.from(String(req.headers['x-audit-signature'] ?? ''));
        hooks.push({ body, timestamp, signatureValid: expected.length === given.length && timingSafeEqual(expected, given) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((ready) => receiver.listen(0, '127.0.0.1', () => ready()));
    stack = await startAuditStack('notify_channels', {
      notifications: {
        email: { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'audit-log@crm.example.com' },
        webhook: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/audit-hook`, secret: WEBHOOK_SECRET },
      },
    });
    worker = await stack.server.startWorker({ progressIntervalMs: 100 });
    await seedEvents(stack.events, { tenantId: requester.tenantId, count: 12 });
  });

  afterAll(async () => {
    await worker?.close();
    await stack?.close();
    await new Promise((done) => receiver?.close(done));
    smtp?.disconnect();
  });

  it('e-mails the requester when an export is ready, with the download link', async () => {
    const client = stack.client(requester);
    const done = await waitForExport(client, (await client.auditLog.exports.create.mutate({ format: 'csv' })).id);
    await until(() => mail.length > 0, 'the e-mail');
    const [message] = mail;
    expect(message!.to).toEqual(['nora@tenant-n.test']);
    expect(message!.from).toBe('audit-log@crm.example.com');
    expect(message!.raw).toMatch(/^Subject: Your audit log export is ready$/m);
    // A link that leads through sign-in: nothing in the e-mail downloads the file by itself.
    const text = message!.raw.replace(/=\r?\n/g, '');
    expect(text).toContain(`/exports/${done.id}/download`);
    expect(text).not.toContain('token=');
  });

  it('posts a webhook whose signature the receiver can check', async () => {
    await until(() => hooks.length > 0, 'the webhook');
    const [call] = hooks;
    expect(call!.signatureValid).toBe(true);
    expect(JSON.parse(call!.body)).toMatchObject({ tenantId: 'tenant-n', userId: 'admin-n', kind: 'export.completed', title: 'Your audit log export is ready' });
    // Like the e-mail's, the link leads through sign-in.
    expect(JSON.parse(call!.body).link).toMatch(/\/audit-log\/exports\/[0-9a-f]{24}\/download$/);
  });
});

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}
