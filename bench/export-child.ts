/**
 * One measured export run in its own process, so its peak RSS is its own. Modes:
 *   raw-csv   driver cursor → csv-stringify → file          (the baseline for CSV)
 *   raw-xlsx  driver cursor → exceljs streaming writer → file (the baseline for XLSX)
 *   ours      the export worker (BullMQ job → cursor → our writer → GridFS), end to end
 * Prints one JSON line: rows, milliseconds, peak RSS, event-loop delay p99, stalled jobs, progress writes.
 */
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { QueueEvents, type Worker } from 'bullmq';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import pino from 'pino';
import { createAuditServer } from '../server/audit-server';
import { EVENT_SORT } from '../server/events/event-query';
import { AUDIT_EVENTS_COLLECTION } from '../server/events/event.model';
import { EXPORT_QUEUE } from '../server/exports/export.job';

const [mode, format, uri, dbName, prefix, fromIso] = process.argv.slice(2) as [string, 'csv' | 'xlsx', string, string, string, string];

function peakRssMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : Math.round(process.memoryUsage().rss / 1e6);
}

async function main(): Promise<void> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const connection = await mongoose.createConnection(uri, { dbName }).asPromise();
  const events = connection.db!.collection(AUDIT_EVENTS_COLLECTION);
  const filter = { tenantId: 'bench', occurredAt: { $gte: new Date(fromIso) } };
  const started = Date.now();
  let rows = 0;
  let stalled = 0;
  let progressWrites = 0;
  let jobMs = 0;

  if (mode === 'raw-csv' || mode === 'raw-xlsx') {
    const file = join(tmpdir(), `bench-export-${process.pid}.${format}`);
    const cursor = events.find(filter).sort(EVENT_SORT).batchSize(2_000);
    if (mode === 'raw-csv') {
      const csv = stringify({ header: true, columns: ['user', 'occurredAt', 'action', 'subject', 'description', 'editCount', 'status', 'deviceType', 'ip', 'sessionId', 'userAgent'] });
      await pipeline(
        cursor
          .map((event) => {
            rows++;
            return { user: event.actor?.name, occurredAt: event.occurredAt.toISOString(), action: event.action, subject: event.subject?.name, description: event.description, editCount: event.editCount, status: event.status, deviceType: event.context?.deviceType, ip: event.context?.ip, sessionId: event.context?.sessionId, userAgent: event.context?.userAgent };
          })
          .stream(),
        csv,
        createWriteStream(file),
      );
    } else {
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
      const sheet = workbook.addWorksheet('Audit log');
      for await (const event of cursor) {
        sheet.addRow([event.actor?.name, event.occurredAt, event.action, event.subject?.name, event.description, event.editCount, event.status, event.context?.deviceType, event.context?.ip, event.context?.sessionId, event.context?.userAgent]).commit();
        rows++;
      }
      sheet.commit();
      await workbook.commit();
    }
    rmSync(file, { force: true });
    jobMs = Date.now() - started;
  } else {
    const logger = pino({ level: 'silent' });
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    const audit = createAuditServer({ connection, redis, redisPrefix: prefix, logger, secret: 'bench-signing-secret-bench-signing-secret', exports: { retentionDays: 1 } });
    await audit.ready;
    const services = audit.services.connected!;
    const queueEvents = new QueueEvents(EXPORT_QUEUE, { connection: redis.duplicate(), prefix });
    queueEvents.on('progress', () => progressWrites++);
    await queueEvents.waitUntilReady();
    const worker: Worker = await audit.startWorker();
    worker.on('stalled', () => stalled++);
    const caller = { tenantId: 'bench', actorId: 'bench-admin', role: 'admin' };
    const view = await services.exports.service.create(caller, { format, filters: { from: new Date(fromIso) }, timeZone: 'UTC', bom: false });
    for (;;) {
      const record = await services.exports.repository.findById('bench', view.id);
      if (record?.status === 'completed' || record?.status === 'failed') {
        if (record.status === 'failed') throw new Error(`export failed: ${record.failureReason}`);
        rows = record.file!.rows;
        jobMs = record.completedAt!.getTime() - record.startedAt!.getTime();
        await services.exports.storage.remove(record.file!.id);
        break;
      }
      await new Promise((done) => setTimeout(done, 200));
    }
    await worker.close();
    await queueEvents.close();
    await audit.close();
    redis.disconnect();
  }
  loop.disable();
  await connection.close();
  const result = { mode, format, rows, ms: jobMs, rowsPerSecond: Math.round(rows / (jobMs / 1000)), peakRssMb: peakRssMb(), loopDelayP99Ms: Math.round(loop.percentile(99) / 1e6), stalled, progressWrites, totalMs: Date.now() - started };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench child failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
