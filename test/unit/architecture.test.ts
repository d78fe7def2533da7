import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/**
 * The layout's rules, checked on the source: a feature slice is reached only through its public
 * file, the server never imports the host adapters, and only the tRPC edge knows @trpc/server.
 */
const ROOT = join(__dirname, '../..');
const SLICES = ['server/events', 'server/exports', 'server/notifications', 'server/live', 'server/recorder', 'server/request-scope', 'server/integrity'];
/**
 * Zod-only schema files that other slices may import directly: the admin page bundles the event
 * schema, which needs these, and their slice's index brings Node code (AsyncLocalStorage).
 */
const SCHEMA_FILES = ['server/request-scope/request-context.schema'];
/** A slice's second public face: what capturing an event needs without the slice's read side (issue 17). */
const CAPTURE_FACES = ['server/events/capture', 'server/integrity/capture'];
const TRPC_EDGE = [/^server\/trpc\.ts$/, /^server\/http\//, /^server\/app\.ts$/, /^plugins\/trpc\//];

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder)).flatMap((entry) => {
    const path = `${folder}/${entry}`;
    if (entry === 'admin-ui' || entry === 'node_modules') return [];
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s+'([^']+)'/g)].map((match) => match[1]!);
}

const files = ['server', 'plugins', 'client', 'workers'].flatMap(sourceFiles);
const resolved = (file: string, specifier: string) => normalize(join(dirname(file), specifier)).replaceAll('\\', '/');

describe('the layout', () => {
  it('reaches another slice only through its public file', () => {
    const offending = files.flatMap((file) =>
      importsOf(file)
        .filter((specifier) => specifier.startsWith('.'))
        .map((specifier) => resolved(file, specifier))
        .filter((target) => SLICES.some((slice) => target.startsWith(`${slice}/`) && !file.startsWith(`${slice}/`)) && !SCHEMA_FILES.includes(target) && !CAPTURE_FACES.includes(target))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('never imports the host adapters (plugins/) from the server', () => {
    const offending = files
      .filter((file) => file.startsWith('server/'))
      .flatMap((file) => importsOf(file).filter((specifier) => specifier.startsWith('.') && resolved(file, specifier).startsWith('plugins/')).map((specifier) => `${file} -> ${specifier}`));
    expect(offending).toEqual([]);
  });

  it('keeps @trpc/server at the edge: domain code throws AuditLogError instead', () => {
    const offending = files
      .filter((file) => importsOf(file).some((specifier) => specifier.startsWith('@trpc/server')))
      .filter((file) => !TRPC_EDGE.some((edge) => edge.test(relative('.', file))) && !file.endsWith('.router.ts') && file !== 'server/router.ts' && !file.startsWith('client/'));
    expect(offending).toEqual([]);
  });
});
