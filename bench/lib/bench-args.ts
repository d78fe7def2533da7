/** Command-line arguments shared by the benchmarks: `--quick`, `--<name> N` sizes, `--out file`. */
export interface BenchArgs {
  quick: boolean;
  /** A numeric option, or the quick/full default. */
  number(name: string, defaults: { quick: number; full: number }): number;
  text(name: string): string | undefined;
}

export function parseBenchArgs(argv: string[] = process.argv.slice(2)): BenchArgs {
  const quick = argv.includes('--quick');
  const text = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  return {
    quick,
    text,
    number(name, defaults) {
      const given = text(name);
      if (given === undefined) return quick ? defaults.quick : defaults.full;
      const value = Number(given);
      if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${given}`);
      return value;
    },
  };
}
