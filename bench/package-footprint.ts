/**
 * What installing the package costs a host: a bare express 4 + mongoose 8 project, then the same
 * project with the packed tarball added, both from the npm registry; packages and MB of node_modules.
 *   node --require ./test/helpers/swc-register.js bench/package-footprint.ts [--before <git rev>]
 * `--before` also packs that revision (in a temporary worktree) and installs it into its own copy of
 * the bare host, for a before → after line.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHostProject, packedTarball } from '../test/helpers/packed-package';

const BARE_HOST = ['express@4', 'mongoose@8'];

function packRevision(revision: string): string {
  const root = resolve(__dirname, '..');
  const worktree = mkdtempSync(join(tmpdir(), 'footprint-before-'));
  execFileSync('git', ['worktree', 'add', '--detach', worktree, revision], { cwd: root, stdio: 'ignore' });
  symlinkSync(join(root, 'node_modules'), join(worktree, 'node_modules'), 'dir');
  const destination = mkdtempSync(join(tmpdir(), 'footprint-tarball-'));
  // An old revision may not pack without its own build; what a host installs is its dependency list either way.
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', destination], { cwd: worktree, stdio: 'ignore' });
  execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: root, stdio: 'ignore' });
  return join(destination, readdirSync(destination)[0]!);
}

function measure(label: string, tarball: string | undefined) {
  const host = createHostProject(`footprint-${label}`, { type: 'commonjs', dependencies: tarball ? [...BARE_HOST, tarball] : BARE_HOST, files: {} });
  try {
    return host.footprint();
  } finally {
    host.remove();
  }
}

function main(): void {
  const beforeRevision = process.argv.includes('--before') ? process.argv[process.argv.indexOf('--before') + 1] : undefined;
  process.env.AUDIT_TEST_RUN_ID ??= `footprint${Date.now().toString(36)}`;
  const tarball = packedTarball();
  const tarballBytes = Number(execFileSync('stat', ['-c', '%s', tarball], { encoding: 'utf8' }));
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).length;
  const bare = measure('bare', undefined);
  const withPackage = measure('with', tarball);
  const rows = [
    `tarball: ${(tarballBytes / 1024).toFixed(0)} kB, ${files} files`,
    `bare host (${BARE_HOST.join(' + ')}): ${bare.packages} packages, ${bare.megabytes} MB`,
    `with this package: ${withPackage.packages} packages, ${withPackage.megabytes} MB (+${withPackage.packages - bare.packages} packages, +${(withPackage.megabytes - bare.megabytes).toFixed(1)} MB)`,
  ];
  if (beforeRevision) {
    const before = measure('before', packRevision(beforeRevision));
    rows.push(`with ${beforeRevision}: ${before.packages} packages, ${before.megabytes} MB (+${before.packages - bare.packages} packages, +${(before.megabytes - bare.megabytes).toFixed(1)} MB)`);
  }
  rmSync(resolve(tarball, '..'), { recursive: true, force: true });
  process.stdout.write(`${rows.join('\n')}\n`);
}

main();
