import { createHmac } from 'node:crypto';
import { z } from 'zod';

/**
 * Every environment variable the audit log reads, parsed once at start-up.
 * The rest of the code receives the typed `TConfig`; nothing else reads `process.env`.
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
  PUBLIC_URL: z.url({ message: 'expected an absolute URL such as https://crm.example.com' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: the runnable entry points start an embedded MongoDB-protocol server in DATA_DIR. */
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
  AUDIT_SPILL_TO_REDIS: ZBooleanFlag.default(true),
  CORS_ORIGINS: ZCommaList.default([]),
  TRUST_PROXY: ZBooleanFlag.default(false),
  SESSION_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  EXPORT_SIGNING_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  EXPORT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  EXPORT_MAX_RUNNING_PER_TENANT: z.coerce.number().int().min(1).max(100).default(2),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, { message: 'expected an smtp:// or smtps:// URL' }).optional(),
  SMTP_FROM: z.string().email().optional(),
  WEBHOOK_URL: z.url().optional(),
  WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Standalone API: the secret hosts sign bearer tokens with (see docs/API.md). Required by `start:api`. */
  API_TOKEN_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  /** Signs page cursors; the same on every API instance. Default: derived from API_TOKEN_SECRET. */
  CURSOR_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  /** Largest request body the standalone API accepts. */
  API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(10_000_000).default(100_000),
});

export type TConfig = z.infer<typeof ZConfig>;

const SECRET_NAMES = new Set(['API_TOKEN_SECRET', 'CURSOR_SECRET', 'SESSION_SECRET', 'EXPORT_SIGNING_SECRET', 'WEBHOOK_SECRET', 'SMTP_URL', 'MONGODB_URI', 'REDIS_URL']);

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
      const name = issue.path.join('.') || '(root)';
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

export type TSecretName = 'SESSION_SECRET' | 'EXPORT_SIGNING_SECRET' | 'API_TOKEN_SECRET';

/**
 * A secret from the config. Production: required, or the process stops with a config message.
 * Elsewhere: a fixed development value, so separately started API and worker processes still agree
 * (callers log that it is in use).
 */
export function secretFrom(config: TConfig, name: TSecretName): { value: string; isDevelopmentDefault: boolean } {
  const configured = config[name];
  if (configured) return { value: configured, isDevelopmentDefault: false };
  if (config.NODE_ENV === 'production') throw new ConfigError([`${name}: required in production (at least 32 characters)`]);
  return { value: `crm-audit-log development ${name.toLowerCase()} - never use in production`, isDevelopmentDefault: true };
}

/** A dedicated CURSOR_SECRET, or one derived from the token secret so a single secret suffices. */
export function cursorSecretFrom(config: Pick<TConfig, 'CURSOR_SECRET'>, apiTokenSecret: string): string {
  return config.CURSOR_SECRET ?? createHmac('sha256', apiTokenSecret).update('crm-audit-log cursor key').digest('base64url');
}
