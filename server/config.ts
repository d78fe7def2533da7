import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AuditServerOptions } from './audit-server';
import { ZPublicKeyConfig, type IntegritySettings } from './integrity';
import { issuePath } from './common/zod-issues';

/**
 * Every environment variable the audit log's own processes (the `crm-audit-log` bin: worker and
 * standalone API; the demo CRM) read, parsed once at start-up. A host that embeds the audit log
 * passes options to `createAuditLog` instead; the library itself reads only NODE_ENV (to insist on
 * a secret in production).
 */
const ZBooleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const ZCommaList = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));

export const ZConfig = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Absolute URL of the host, for links in notifications (e.g. https://crm.example.com). */
  PUBLIC_URL: z.url({ message: 'expected an absolute URL such as https://crm.example.com' }).optional(),
  /** Where the audit log's express router is mounted (downloads, the admin page); links lead there. */
  AUDIT_LOG_BASE_PATH: z.string().regex(/^(\/[A-Za-z0-9._~-]+)*$/, { message: 'a path such as /audit-log (or empty)' }).default('/audit-log'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Required by the bin; the demo CRM starts an embedded MongoDB-protocol server in DATA_DIR when unset. */
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, { message: 'expected a mongodb:// or mongodb+srv:// URI' })
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, { message: 'expected a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379'),
  /** Prefix for every Redis key and BullMQ queue this process creates. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, { message: 'letters, digits, : _ - only (max 64)' }).default('audit'),
  DATA_DIR: z.string().min(1).default('.data'),
  AUDIT_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  AUDIT_FLUSH_INTERVAL_MS: z.coerce.number().int().min(1).max(60_000).default(100),
  AUDIT_MAX_QUEUED_EVENTS: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
  /** durable: each audited host write waits for its event on disk; buffered: only spilled events go to disk; memory: no files (Redis spill). */
  AUDIT_DURABILITY: z.enum(['durable', 'buffered', 'memory']).default('durable'),
  /** The write-ahead log's directory (default DATA_DIR/audit-wal): a disk that outlives the process, a volume in a container. */
  AUDIT_WAL_DIR: z.string().min(1).optional(),
  CORS_ORIGINS: ZCommaList.default([]),
  TRUST_PROXY: ZBooleanFlag.default(false),
  /** Signs page cursors and download links; the same in every process (API, workers, the host). */
  AUDIT_LOG_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  EXPORT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  EXPORT_MAX_RUNNING_PER_TENANT: z.coerce.number().int().min(1).max(100).default(2),
  EXPORT_MAX_QUEUED_PER_REQUESTER: z.coerce.number().int().min(1).max(1_000).default(5),
  EXPORT_MAX_QUEUED_PER_TENANT: z.coerce.number().int().min(1).max(10_000).default(20),
  /** How long an in-app download link works; downloads also need the requester's session. */
  EXPORT_LINK_MINUTES: z.coerce.number().int().min(1).max(1_440).default(15),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, { message: 'expected an smtp:// or smtps:// URL' }).optional(),
  SMTP_FROM: z.string().email().optional(),
  WEBHOOK_URL: z.url().optional(),
  WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Standalone API: the secret hosts sign bearer tokens with (see docs/API.md). Required by `start:api`. */
  API_TOKEN_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  /** The integrity log's signing key (PRIVATE+KEY+<name>+<hash>+<key>, `crm-audit-log keys --generate <name>`), or a file holding it. */
  AUDIT_INTEGRITY_SIGNING_KEY: z.string().startsWith('PRIVATE+KEY+', { message: 'expected PRIVATE+KEY+<name>+<hash>+<key>' }).optional(),
  AUDIT_INTEGRITY_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** Every public key checkpoints may be signed with: JSON `[{ "verifierKey": "...", "validFrom": "...", "validUntil": "..." }]`. */
  AUDIT_INTEGRITY_PUBLIC_KEYS: z
    .string()
    .transform((text, context) => {
      try {
        return z.array(ZPublicKeyConfig).parse(JSON.parse(text));
      } catch {
        context.addIssue({ code: 'custom', message: 'expected a JSON array of { verifierKey, validFrom?, validUntil? }' });
        return z.NEVER;
      }
    })
    .optional(),
  /** Seal events and sign checkpoints in this process (default: when a signing key is set). */
  AUDIT_INTEGRITY_SEAL: ZBooleanFlag.optional(),
  AUDIT_INTEGRITY_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(1_000).max(60_000).default(30_000),
  /** Largest request body the standalone API accepts. */
  API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(10_000_000).default(100_000),
});

export type TConfig = z.infer<typeof ZConfig>;

const SECRET_NAMES = new Set(['AUDIT_INTEGRITY_SIGNING_KEY', 'API_TOKEN_SECRET', 'AUDIT_LOG_SECRET', 'WEBHOOK_SECRET', 'SMTP_URL', 'MONGODB_URI', 'REDIS_URL']);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Pure: `env` in, typed config or a `ConfigError` that lists every problem out. */
export function parseConfig(env: Record<string, string | undefined>): TConfig {
  // An empty variable means "not set", as in most shells' `VAR= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = ZConfig.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issuePath(issue, '(root)');
      const given = present[name];
      const shown = given === undefined || SECRET_NAMES.has(name) ? '' : ` (got ${JSON.stringify(given)})`;
      return `${name}: ${issue.message}${shown}`;
    }),
  );
}

/** For entry points: a config mistake prints one clear message and exits, never a stack trace. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): TConfig {
  try {
    return parseConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/** What the audit log's processes pass to `createAuditServer`, from the environment (connection and logger aside). */
export function auditServerOptionsFrom(config: TConfig): Omit<AuditServerOptions, 'connection' | 'logger'> {
  return {
    redis: config.REDIS_URL,
    redisPrefix: config.REDIS_PREFIX,
    secret: config.AUDIT_LOG_SECRET,
    recorder: { batchSize: config.AUDIT_BATCH_SIZE, flushIntervalMs: config.AUDIT_FLUSH_INTERVAL_MS, maxQueuedEvents: config.AUDIT_MAX_QUEUED_EVENTS },
    durability: { mode: config.AUDIT_DURABILITY, directory: config.AUDIT_WAL_DIR ?? join(config.DATA_DIR, 'audit-wal') },
    exports: {
      retentionDays: config.EXPORT_RETENTION_DAYS,
      maxRunningPerTenant: config.EXPORT_MAX_RUNNING_PER_TENANT,
      maxQueuedPerRequester: config.EXPORT_MAX_QUEUED_PER_REQUESTER,
      maxQueuedPerTenant: config.EXPORT_MAX_QUEUED_PER_TENANT,
      linkLifetimeMs: config.EXPORT_LINK_MINUTES * 60_000,
      publicUrl: config.PUBLIC_URL,
      basePath: config.AUDIT_LOG_BASE_PATH,
    },
    integrity: integritySettingsFrom(config),
    notifications: {
      email: config.SMTP_URL && config.SMTP_FROM ? { smtpUrl: config.SMTP_URL, from: config.SMTP_FROM } : undefined,
      webhook: config.WEBHOOK_URL && config.WEBHOOK_SECRET ? { url: config.WEBHOOK_URL, secret: config.WEBHOOK_SECRET } : undefined,
    },
  };
}

/** The signing key from the variable or its file (read once, here), the public keys, whether to seal. */
export function integritySettingsFrom(config: TConfig): IntegritySettings {
  let signingKey = config.AUDIT_INTEGRITY_SIGNING_KEY;
  if (!signingKey && config.AUDIT_INTEGRITY_SIGNING_KEY_FILE) {
    try {
      signingKey = readFileSync(config.AUDIT_INTEGRITY_SIGNING_KEY_FILE, 'utf8').trim();
    } catch (error) {
      throw new ConfigError([`AUDIT_INTEGRITY_SIGNING_KEY_FILE: cannot read ${config.AUDIT_INTEGRITY_SIGNING_KEY_FILE} (${(error as Error).message})`]);
    }
  }
  return { signingKey, publicKeys: config.AUDIT_INTEGRITY_PUBLIC_KEYS, seal: config.AUDIT_INTEGRITY_SEAL, sealer: { checkpointIntervalMs: config.AUDIT_INTEGRITY_CHECKPOINT_INTERVAL_MS } };
}
