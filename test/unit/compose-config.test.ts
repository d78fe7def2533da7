import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseConfig, ZConfig, type TConfig } from '../../server/config';

/**
 * docker-compose.yml read the way `docker compose` reads it (anchors and `<<` merge keys resolved,
 * `${VAR:-default}` expanded with nothing set, so every default is what runs), each service built
 * from this repository checked against the config schema and against what its command requires.
 */
interface ComposeService {
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, unknown> | string[];
  volumes?: string[];
}

const compose = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const appServices = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
const KNOWN_VARIABLES = new Set(Object.keys(ZConfig.shape));

/** What each command of the bin (workers/cli.ts) refuses to start without, beyond the schema. */
const REQUIRED_BY_COMMAND: Record<string, Array<keyof TConfig>> = {
  // server/main.ts: API_TOKEN_SECRET; server/runtime.ts: MONGODB_URI.
  api: ['MONGODB_URI', 'API_TOKEN_SECRET'],
  // workers/main.ts opens the same runtime: MONGODB_URI.
  worker: ['MONGODB_URI'],
};
// server/audit-server.ts refuses to start in production without a secret.
const REQUIRED_IN_PRODUCTION: Array<keyof TConfig> = ['AUDIT_LOG_SECRET'];
// The image's CMD (Dockerfile) when a service gives no command.
const IMAGE_COMMAND = 'api';

/** Compose interpolation with an empty shell environment: `${VAR:-default}` / `${VAR-default}` give the default, `$$` a dollar. */
function interpolate(value: string, env: Record<string, string> = {}): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced?: string, colon?: string, fallback?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = braced ?? bare ?? '';
    const given = env[name];
    if (fallback === undefined) return given ?? '';
    return given === undefined || (colon === ':' && given === '') ? fallback : given;
  });
}

/** A service's `environment` (map or `KEY=VALUE` list) as the process sees it. */
function environmentOf(service: ComposeService): Record<string, string> {
  const entries = Array.isArray(service.environment)
    ? service.environment.map((line) => [line.split('=')[0] ?? '', line.includes('=') ? line.slice(line.indexOf('=') + 1) : ''] as const)
    : Object.entries(service.environment ?? {}).map(([name, value]) => [name, value === null ? '' : String(value)] as const);
  return Object.fromEntries(entries.map(([name, value]) => [name, interpolate(value)]));
}

function commandOf(service: ComposeService): string {
  const command = typeof service.command === 'string' ? service.command.split(/\s+/) : service.command;
  return command?.[0] ?? IMAGE_COMMAND;
}

describe('docker-compose.yml against the config schema', () => {
  it('has services built from this repository to check', () => {
    expect(appServices.map(([name]) => name).sort()).toEqual(['api', 'worker']);
  });

  it.each(appServices)('gives the %s service only variables the config knows (a misspelling is caught)', (_name, service) => {
    const unknown = Object.keys(environmentOf(service)).filter((name) => !KNOWN_VARIABLES.has(name));
    expect(unknown).toEqual([]);
  });

  it.each(appServices)('gives the %s service an environment that parses with parseConfig', (_name, service) => {
    expect(() => parseConfig(environmentOf(service))).not.toThrow();
  });

  it.each(appServices)('gives the %s service everything its command requires', (_name, service) => {
    const config = parseConfig(environmentOf(service));
    const command = commandOf(service);
    expect(Object.keys(REQUIRED_BY_COMMAND)).toContain(command);
    const required = [...(REQUIRED_BY_COMMAND[command] ?? []), ...(config.NODE_ENV === 'production' ? REQUIRED_IN_PRODUCTION : [])];
    expect(required.filter((name) => config[name] === undefined)).toEqual([]);
  });
  it.each(appServices)('gives the %s service its write-ahead log directory on a named volume', (_name, service) => {
    const config = parseConfig(environmentOf(service));
    expect(config.AUDIT_WAL_DIR).toBeDefined();
    const mounts = (service.volumes ?? []).map((volume) => volume.split(':'));
    const mount = mounts.find(([, target]) => target === config.AUDIT_WAL_DIR);
    expect(mount).toBeDefined();
    expect(Object.keys((compose as { volumes?: Record<string, unknown> }).volumes ?? {})).toContain(mount?.[0]);
  });
});

describe('compose interpolation as the test reads it', () => {
  it('takes the default of ${VAR:-default} and ${VAR-default} when nothing is set', () => {
    expect(interpolate('${SECRET:-change-me} and ${OTHER-x}')).toBe('change-me and x');
  });

  it('takes a set value over the default, and the default for an empty value only with the colon form', () => {
    expect(interpolate('${A:-d}|${B:-d}|${B-d}', { A: 'set', B: '' })).toBe('set|d|');
  });

  it('turns $$ into a dollar and an unset variable without default into nothing', () => {
    expect(interpolate('cost $$5 ${NOPE}$ALSO_NOPE')).toBe('cost $5 ');
  });
});
