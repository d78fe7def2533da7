import type { BenchArgs } from './bench-args';
import { parseBenchArgs } from './bench-args';
import { environmentOf, reportResult, type BenchResult } from './bench-report';
import { openBenchServer, type BenchServer } from './bench-server';

/** Runs one benchmark as a program: opens the server, reports (stdout + JSON via `--out`), exits. */
export function runBenchProgram(name: string, run: (server: BenchServer, args: BenchArgs) => Promise<BenchResult>): void {
  const args = parseBenchArgs();
  void (async () => {
    const server = await openBenchServer();
    try {
      const result = await run(server, args);
      reportResult({ ...result, notes: [...server.notes, ...result.notes] }, environmentOf(server), args.text('out'));
    } finally {
      await server.close();
    }
  })().catch((error: unknown) => {
    process.stderr.write(`${name} benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
