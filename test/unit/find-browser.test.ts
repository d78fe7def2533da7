import { delimiter } from 'node:path';
import { decideE2e, e2eBrowserLaunchOptions, findBrowser, NO_BROWSER_REASON, onCi, selectedProjects, type TBrowserLookup } from '../helpers/find-browser';

/** A machine with these executables and these playwright channels; records which channels were asked for. */
function machine(executables: string[], channels: Array<'chrome' | 'msedge'> = []) {
  const asked: string[] = [];
  return {
    asked,
    isExecutable: (path: string) => executables.includes(path),
    channelWorks: async (channel: 'chrome' | 'msedge') => {
      asked.push(channel);
      return channels.includes(channel);
    },
  };
}

const missing: TBrowserLookup = { outcome: 'missing', reason: NO_BROWSER_REASON };
const chromium = { executablePath: '/usr/bin/chromium', description: 'Chromium (/usr/bin/chromium)' };
const found: TBrowserLookup = { outcome: 'found', browser: chromium };

describe('findBrowser', () => {
  it('takes CHROMIUM_PATH before every other browser', async () => {
    const host = machine(['/opt/chromium/chrome', '/usr/bin/chromium'], ['chrome']);
    const lookup = await findBrowser({ env: { CHROMIUM_PATH: '/opt/chromium/chrome', PATH: '/usr/bin' }, ...host });
    expect(lookup).toMatchObject({ outcome: 'found', browser: { executablePath: '/opt/chromium/chrome' } });
    expect(host.asked).toEqual([]);
  });

  it('refuses a CHROMIUM_PATH that is not an executable instead of quietly using another browser', async () => {
    const lookup = await findBrowser({ env: { CHROMIUM_PATH: '/opt/nothing' }, ...machine(['/usr/bin/chromium']) });
    expect(lookup).toEqual({ outcome: 'misconfigured', reason: 'CHROMIUM_PATH=/opt/nothing is not an executable file' });
  });

  it('treats an empty CHROMIUM_PATH as unset', async () => {
    const lookup = await findBrowser({ env: { CHROMIUM_PATH: '' }, ...machine(['/usr/bin/chromium']) });
    expect(lookup).toMatchObject({ outcome: 'found', browser: { executablePath: '/usr/bin/chromium' } });
  });

  it("takes Debian's /usr/bin/chromium, then /usr/bin/chromium-browser, before anything on PATH", async () => {
    const env = { PATH: '/snap/bin' };
    const both = await findBrowser({ env, ...machine(['/snap/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/chromium']) });
    expect(both).toMatchObject({ browser: { executablePath: '/usr/bin/chromium' } });
    const ubuntu = await findBrowser({ env, ...machine(['/snap/bin/chromium', '/usr/bin/chromium-browser']) });
    expect(ubuntu).toMatchObject({ browser: { executablePath: '/usr/bin/chromium-browser' } });
  });

  it('finds chromium, then chromium-browser, in the PATH directories in their order', async () => {
    const env = { PATH: ['/home/dev/bin', '/snap/bin'].join(delimiter) };
    expect(await findBrowser({ env, ...machine(['/snap/bin/chromium', '/home/dev/bin/chromium-browser']) })).toMatchObject({ browser: { executablePath: '/snap/bin/chromium' } });
    expect(await findBrowser({ env, ...machine(['/snap/bin/chromium-browser', '/home/dev/bin/chromium-browser']) })).toMatchObject({
      browser: { executablePath: '/home/dev/bin/chromium-browser' },
    });
  });

  it('asks playwright-core for Chrome, then Edge, only when no Chromium is found', async () => {
    const withChromium = machine(['/usr/bin/chromium'], ['chrome', 'msedge']);
    await findBrowser({ env: {}, ...withChromium });
    expect(withChromium.asked).toEqual([]);

    const chrome = machine([], ['chrome', 'msedge']);
    expect(await findBrowser({ env: {}, ...chrome })).toMatchObject({ browser: { channel: 'chrome' } });
    expect(chrome.asked).toEqual(['chrome']);

    const edge = machine([], ['msedge']);
    expect(await findBrowser({ env: {}, ...edge })).toMatchObject({ browser: { channel: 'msedge' } });
    expect(edge.asked).toEqual(['chrome', 'msedge']);
  });

  it('says how to get a browser when there is none', async () => {
    expect(await findBrowser({ env: { PATH: '/usr/bin' }, ...machine([]) })).toEqual(missing);
  });
});

describe('decideE2e', () => {
  const run = { argv: [], ci: false, testFiles: 1 };

  it('runs the e2e project with the browser found', () => {
    expect(decideE2e(found, run)).toEqual({ action: 'run', browser: chromium });
  });

  it('leaves the e2e project out of a developer run without a browser, with one line saying why and how', () => {
    expect(decideE2e(missing, run)).toEqual({ action: 'leave-out', line: `e2e: skipped the browser tests (1 file in test/e2e): ${NO_BROWSER_REASON}` });
  });

  it('fails a CI run without a browser', () => {
    expect(decideE2e(missing, { ...run, ci: true })).toEqual({ action: 'fail', line: `e2e: cannot run the browser tests (1 file in test/e2e) under CI=true: ${NO_BROWSER_REASON}` });
  });

  it('fails a run that asked for the e2e project by name without a browser', () => {
    expect(decideE2e(missing, { ...run, argv: ['--selectProjects', 'e2e'], testFiles: 2 })).toMatchObject({ action: 'fail', line: expect.stringContaining('2 files in test/e2e') });
  });

  it('fails a run whose CHROMIUM_PATH is wrong, on CI or not', () => {
    expect(decideE2e({ outcome: 'misconfigured', reason: 'CHROMIUM_PATH=/x is not an executable file' }, run)).toEqual({
      action: 'fail',
      line: 'e2e: cannot run the browser tests (1 file in test/e2e): CHROMIUM_PATH=/x is not an executable file',
    });
  });
});

describe('selectedProjects', () => {
  it("reads jest's --selectProjects in its spellings, or says none was given", () => {
    expect(selectedProjects(['--selectProjects', 'unit', 'integration', '--verbose'])).toEqual(['unit', 'integration']);
    expect(selectedProjects(['--select-projects=e2e'])).toEqual(['e2e']);
    expect(selectedProjects(['--selectProjects', 'unit', '-t', 'x', '--selectProjects', 'e2e'])).toEqual(['unit', 'e2e']);
    expect(selectedProjects(['test/unit/foo.test.ts', '--verbose'])).toBeUndefined();
  });
});

describe('onCi', () => {
  it('counts CI as set unless it is empty, 0 or false', () => {
    expect([{ CI: 'true' }, { CI: '1' }, { CI: 'false' }, { CI: '0' }, { CI: '' }, {}].map(onCi)).toEqual([true, true, false, false, false, false]);
  });
});

describe('e2eBrowserLaunchOptions', () => {
  it('hands the e2e tests the launch options of the browser the config found', () => {
    const env = { AUDIT_E2E_BROWSER: JSON.stringify({ channel: 'msedge', description: 'Microsoft Edge' }) };
    expect(e2eBrowserLaunchOptions(env)).toEqual({ channel: 'msedge', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  it('refuses to guess when the e2e tests run without the config having looked', () => {
    expect(() => e2eBrowserLaunchOptions({})).toThrow('AUDIT_E2E_BROWSER is not set');
    expect(() => e2eBrowserLaunchOptions({ AUDIT_E2E_BROWSER: JSON.stringify({ channel: 'firefox', description: 'x' }) })).toThrow();
  });
});
