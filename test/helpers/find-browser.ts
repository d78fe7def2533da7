import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { z } from 'zod';

/**
 * Which browser the e2e tests drive, looked up the way developers have one:
 *   1. CHROMIUM_PATH (an explicit path: a wrong one is an error, not a skip),
 *   2. Debian/Ubuntu Chromium: /usr/bin/chromium, /usr/bin/chromium-browser, then either name on PATH,
 *   3. Google Chrome, then Microsoft Edge, through playwright-core's `channel` (it knows their
 *      install paths on Linux, macOS and Windows).
 * jest.config.js runs this file as a script with jest's arguments and reads one JSON line (a
 * TE2eDecision); the e2e tests read the browser back with `e2eBrowserLaunchOptions()`.
 */
export const ZE2eBrowser = z.union([
  z.object({ executablePath: z.string().min(1), description: z.string() }),
  z.object({ channel: z.enum(['chrome', 'msedge']), description: z.string() }),
]);
export type TE2eBrowser = z.infer<typeof ZE2eBrowser>;
type Channel = 'chrome' | 'msedge';

export type TBrowserLookup = { outcome: 'found'; browser: TE2eBrowser } | { outcome: 'missing' | 'misconfigured'; reason: string };

/** What jest.config.js does with the e2e project: run it, leave it out with one line, or fail the run with one line. */
export type TE2eDecision = { action: 'run'; browser: TE2eBrowser } | { action: 'leave-out'; line?: string } | { action: 'fail'; line: string };

export const NO_BROWSER_REASON = 'no Chromium, Chrome or Edge found (set CHROMIUM_PATH, install Google Chrome, or apt-get install chromium)';
const DEBIAN_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const PATH_NAMES = ['chromium', 'chromium-browser'];
const CHANNELS = [
  { channel: 'chrome', description: 'Google Chrome' },
  { channel: 'msedge', description: 'Microsoft Edge' },
] as const;

/** What the lookup asks of the machine, passed in so the order is testable without one. */
export interface BrowserLookupDeps {
  env: NodeJS.ProcessEnv;
  isExecutable(path: string): boolean;
  /** Whether playwright-core can start this channel here. */
  channelWorks(channel: Channel): Promise<boolean>;
}

export async function findBrowser({ env, isExecutable, channelWorks }: BrowserLookupDeps): Promise<TBrowserLookup> {
  const explicit = env.CHROMIUM_PATH;
  if (explicit) {
    if (isExecutable(explicit)) return { outcome: 'found', browser: { executablePath: explicit, description: `CHROMIUM_PATH (${explicit})` } };
    return { outcome: 'misconfigured', reason: `CHROMIUM_PATH=${explicit} is not an executable file` };
  }
  const onPath = PATH_NAMES.flatMap((name) => (env.PATH ?? '').split(delimiter).filter(Boolean).map((directory) => join(directory, name)));
  const executablePath = [...DEBIAN_PATHS, ...onPath].find((path) => isExecutable(path));
  if (executablePath) return { outcome: 'found', browser: { executablePath, description: `Chromium (${executablePath})` } };
  for (const { channel, description } of CHANNELS) {
    if (await channelWorks(channel)) return { outcome: 'found', browser: { channel, description: `${description} (playwright-core channel "${channel}")` } };
  }
  return { outcome: 'missing', reason: NO_BROWSER_REASON };
}

/** The projects named by jest's --selectProjects, or undefined when it is not given (all of them run). */
export function selectedProjects(argv: readonly string[]): string[] | undefined {
  let names: string[] | undefined;
  for (let index = 0; index < argv.length; index++) {
    const [flag, inline] = argv[index]!.split(/=(.*)/s, 2);
    if (flag !== '--selectProjects' && flag !== '--select-projects') continue;
    names ??= [];
    if (inline !== undefined) names.push(inline);
    else while (argv[index + 1] !== undefined && !argv[index + 1]!.startsWith('-')) names.push(argv[++index]!);
  }
  return names;
}

export interface E2eRun {
  /** jest's own arguments. */
  argv: readonly string[];
  ci: boolean;
  testFiles: number;
}

/** Without a browser the e2e tests are left out with one line, unless the run must have them (CI, or --selectProjects e2e). */
export function decideE2e(lookup: TBrowserLookup, { argv, ci, testFiles }: E2eRun): TE2eDecision {
  if (lookup.outcome === 'found') return { action: 'run', browser: lookup.browser };
  const tests = `the browser tests (${testFiles} ${testFiles === 1 ? 'file' : 'files'} in test/e2e)`;
  if (lookup.outcome === 'misconfigured') return { action: 'fail', line: `e2e: cannot run ${tests}: ${lookup.reason}` };
  if (ci) return { action: 'fail', line: `e2e: cannot run ${tests} under CI=true: ${lookup.reason}` };
  if (selectedProjects(argv)) return { action: 'fail', line: `e2e: cannot run ${tests} (--selectProjects e2e): ${lookup.reason}` };
  return { action: 'leave-out', line: `e2e: skipped ${tests}: ${lookup.reason}` };
}

export function onCi(env: NodeJS.ProcessEnv): boolean {
  return !!env.CI && !['0', 'false'].includes(env.CI.toLowerCase());
}

export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Starts and closes the channel's browser: playwright-core resolves its install path per OS, and refuses at once when it is absent. */
export async function playwrightChannelWorks(channel: Channel): Promise<boolean> {
  const { chromium } = await import('playwright-core');
  try {
    const browser = await chromium.launch({ channel, headless: true, timeout: 30_000 });
    await browser.close();
    return true;
  } catch {
    return false;
  }
}

/** The launch options for the browser jest.config.js found (it passes it on in AUDIT_E2E_BROWSER). */
export function e2eBrowserLaunchOptions(env: NodeJS.ProcessEnv = process.env): { executablePath?: string; channel?: Channel; args: string[] } {
  if (!env.AUDIT_E2E_BROWSER) throw new Error('AUDIT_E2E_BROWSER is not set: run the e2e tests through jest, whose config looks the browser up');
  const { description: _description, ...browser } = ZE2eBrowser.parse(JSON.parse(env.AUDIT_E2E_BROWSER));
  return { ...browser, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] };
}

async function main(argv: readonly string[]): Promise<TE2eDecision> {
  const selected = selectedProjects(argv);
  if (selected && !selected.includes('e2e')) return { action: 'leave-out' };
  const lookup = await findBrowser({ env: process.env, isExecutable: isExecutableFile, channelWorks: playwrightChannelWorks });
  const testFiles = readdirSync(join(__dirname, '../e2e'), { recursive: true }).filter((file) => String(file).endsWith('.test.ts')).length;
  return decideE2e(lookup, { argv, ci: onCi(process.env), testFiles });
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((decision) => process.stdout.write(`${JSON.stringify(decision)}\n`));
}
