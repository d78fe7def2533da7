import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FERRETDB_VERSION, findFerretBinary, findFreePort } from '../../server/db/embedded-mongo';

function runFixture(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const fixture = require.resolve('../fixtures/embedded-mongo-process.ts');
  const args = ['--require', require.resolve('../helpers/swc-register.js'), fixture];
  return new Promise((done) => {
    const child = execFile(process.execPath, args, { env, timeout: 60_000 }, (_error, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }));
  });
}

describe('embedded MongoDB start-up', () => {
  let downloadDir: string;

  beforeAll(() => {
    downloadDir = mkdtempSync(join(tmpdir(), 'audit-mongoms-'));
  });

  afterAll(() => {
    rmSync(downloadDir, { recursive: true, force: true });
  });

  it('says in one line, without a stack trace, why it did not use mongodb-memory-server', async () => {
    const ferret = findFerretBinary();
    // A mongod version no cache holds, from a free port (nothing listens, so it refuses): the download fails as it does offline.
    const env: NodeJS.ProcessEnv = {
      HOME: process.env.HOME,
      // Only node's directory: no `go`, so a missing FerretDB is reported rather than built.
      PATH: dirname(process.execPath),
      MONGOMS_DOWNLOAD_URL: `http://127.0.0.1:${await findFreePort()}/mongodb-linux-x86_64-debian12-0.0.1.tgz`,
      MONGOMS_DOWNLOAD_DIR: downloadDir,
      MONGOMS_USE_HTTP: 'true',
      MONGOMS_MAX_RETRIES: '1',
      ...(ferret ? { FERRETDB_BIN: ferret } : {}),
    };
    const { code, stdout, stderr } = await runFixture(env);

    const reason = /^mongodb-memory-server: no mongod \(offline\? .*ECONNREFUSED.*\)/;
    const lines = stdout.trimEnd().split('\n');
    expect(stderr).toBe('');
    if (ferret) {
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(reason);
      expect(lines[0]).toMatch(new RegExp(`, using FerretDB ${FERRETDB_VERSION.replaceAll('.', '\\.')}$`));
      expect(lines[1]).toBe('started ferretdb');
      expect(code).toBe(0);
    } else {
      // Without FerretDB the same reason opens the one-line error.
      expect(lines).toHaveLength(1);
      expect(lines[0]!.replace(/^failed: /, '')).toMatch(reason);
      expect(code).toBe(1);
    }
  });
});
