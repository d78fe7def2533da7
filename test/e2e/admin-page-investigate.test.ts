import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { DEMO_PASSWORD } from '../../examples/crm/seed-data';
import { storedEvents } from '../fixtures/stored-events';
import { createCookieClient } from '../helpers/cookie-client';
import { e2eBrowserLaunchOptions } from '../helpers/find-browser';
import type { AppRouter } from '../../examples/crm/app-router';
import { startE2eCrm, type E2eCrm } from './e2e-crm';

/**
 * What an admin investigates with, in a real browser against the demo CRM: one state at a time
 * while the list is slow, menus of real users, their own reads out of the way, a record's whole
 * history, the activity chart narrowing the dates, phone and laptop layouts.
 * SCREENSHOTS=1 also refreshes docs/screenshots/record-history.png and activity-chart.png.
 */
const SCREENSHOT_DIR = resolve(__dirname, '../../docs/screenshots');
const takeScreenshots = process.env.SCREENSHOTS === '1';
const DESKTOP_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const DAY = 86_400_000;

async function screenshot(page: Page, name: string): Promise<void> {
  if (!takeScreenshots) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOT_DIR, `${name}.png`) });
}

/** Holds the real responses of matching requests until released: the server answers, the browser waits. */
function holdResponses(page: Page, matches: (path: string) => boolean) {
  let release!: () => void;
  const released = new Promise<void>((done) => (release = done));
  let seen!: () => void;
  const requested = new Promise<void>((done) => (seen = done));
  const inFlight: Array<Promise<void>> = [];
  const handler = (route: Route) => {
    seen();
    const handled = (async () => {
      const response = await route.fetch();
      await released;
      await route.fulfill({ response });
    })();
    inFlight.push(handled);
    return handled;
  };
  const matcher = (url: URL) => matches(decodeURIComponent(url.pathname));
  return {
    start: () => page.route(matcher, handler),
    requested,
    /** Lets every held response through, then stops holding. */
    release: async () => {
      release();
      await Promise.all(inFlight);
      await page.unroute(matcher, handler);
    },
  };
}

describe('investigating with the admin page in Chromium', () => {
  let crm: E2eCrm;
  let browser: Browser;

  const rows = (page: Page) => page.locator('table.events-table tbody tr');

  async function newPage(viewport = { width: 1440, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport, userAgent: DESKTOP_UA, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    return context.newPage();
  }

  async function signIn(page: Page, email = 'alice@acme.test'): Promise<void> {
    await page.goto(`${crm.origin}/audit-log`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Workspace').fill('acme');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${crm.origin}/audit-log`);
  }

  async function applied(page: Page, click: () => Promise<void>): Promise<void> {
    const listed = page.waitForResponse((response) => response.url().includes('auditLog.events.list'));
    await click();
    await listed;
    await page.locator('main[aria-busy="true"]').waitFor({ state: 'detached' }).catch(() => undefined);
  }

  beforeAll(async () => {
    crm = await startE2eCrm('e2e-investigate');
    browser = await chromium.launch(e2eBrowserLaunchOptions());
    // A failed sign-in of an identity that is no user, through the CRM's own sign-in.
    const stranger = createCookieClient<AppRouter>(`${crm.origin}/trpc`, { userAgent: DESKTOP_UA, ip: '203.0.113.66' });
    await expect(stranger.auth.login.mutate({ tenant: 'acme', email: 'mallory@evil.test', password: 'guess' })).rejects.toThrow();
    // Events on four earlier days, for the chart.
    for (const daysAgo of [8, 6, 4, 2]) {
      crm.audit.record({
        tenantId: 'acme',
        occurredAt: new Date(Date.now() - daysAgo * DAY),
        actor: { id: 'report-bot', name: 'Report Bot', type: 'system' },
        action: 'record.viewed',
        subject: { type: 'report', id: `chart-${daysAgo}`, name: `Chart probe ${daysAgo} days ago` },
        description: `Viewed chart probe ${daysAgo} days ago`,
      });
    }
    await crm.audit.flush();
  });

  afterAll(async () => {
    await browser?.close();
    await crm?.stop();
  });

  it('shows only "Loading events…" while the list and the action labels are slow, then only the events with labels', async () => {
    const page = await newPage();
    // tRPC batches the page's first queries (list, actions, facets…) into one request: all of them wait.
    const slow = holdResponses(page, (path) => path.includes('auditLog.events.list') || path.includes('auditLog.events.actions'));
    await slow.start();
    await signIn(page);
    await slow.requested;
    const loading = page.getByText('Loading events…');
    const contradictions = async () => ({
      table: await page.locator('table.events-table').count(),
      summary: await page.locator('.result-summary').count(),
      everything: await page.getByText(/That is everything/).count(),
      empty: await page.getByText(/No events/).count(),
      rawCode: await page.getByText('user.login', { exact: true }).count(),
    });
    await loading.waitFor();
    expect(await contradictions()).toEqual({ table: 0, summary: 0, everything: 0, empty: 0, rawCode: 0 });
    await page.waitForTimeout(1_500); // live events arrive meanwhile (the sign-in, the search)
    expect(await loading.isVisible()).toBe(true);
    expect(await contradictions()).toEqual({ table: 0, summary: 0, everything: 0, empty: 0, rawCode: 0 });
    expect(await page.locator('main').getAttribute('aria-busy')).toBe('true');

    await slow.release();
    await rows(page).first().waitFor();
    expect(await loading.count()).toBe(0);
    const actions = await page.locator('td[data-label="Action"]').allInnerTexts();
    expect(actions).toContain('Signed in');
    expect(actions.filter((text) => /^[a-z_]+\.[a-z_.]+$/.test(text))).toEqual([]);
    expect(await page.locator('.result-summary').innerText()).toMatch(/^\d+ events? shown/);
    await page.context().close();
  });

  it('lists people and API keys with counts in the user menu, attempted sign-ins apart and found by search', async () => {
    const page = await newPage();
    await signIn(page);
    await rows(page).first().waitFor();
    const userOptions = await page.getByLabel('User').locator('option').allInnerTexts();
    expect(userOptions[0]).toBe('All users');
    expect(userOptions.slice(1).length).toBeGreaterThan(0);
    expect(userOptions.slice(1).every((text) => /\(\d[\d,]*\)$/.test(text))).toBe(true);
    expect(userOptions.filter((text) => /mallory|unknown:/i.test(text))).toEqual([]);
    expect(userOptions).toEqual(expect.arrayContaining([expect.stringMatching(/^Alice .*\(\d+\)$/)]));
    const actionOptions = await page.getByLabel('Action').locator('option').allInnerTexts();
    expect(actionOptions).toEqual(expect.arrayContaining([expect.stringMatching(/^Signed in \(\d+\)$/), expect.stringMatching(/^Sign-in failed \(1\)$/)]));

    await applied(page, () => page.getByRole('button', { name: /Attempted sign-ins: 1 by 1 identity/ }).click());
    expect(new URL(page.url()).searchParams.get('action')).toBe('user.login_failed');
    expect(await page.locator('td[data-label="Description"]').allInnerTexts()).toEqual(['Failed sign-in as mallory@evil.test']);

    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByLabel('Search', { exact: true }).fill('mallory@evil.test');
    await applied(page, () => page.getByRole('button', { name: 'Search', exact: true }).click());
    expect(await page.locator('td[data-label="Description"]').allInnerTexts()).toEqual(['Failed sign-in as mallory@evil.test']);
    await page.context().close();
  });

  it('hides the admin’s own searches by default, shows them with the toggle, and records them all along', async () => {
    const page = await newPage();
    await signIn(page);
    await rows(page).first().waitFor();
    await page.getByLabel('Search', { exact: true }).fill('contact');
    await applied(page, () => page.getByRole('button', { name: 'Search', exact: true }).click());
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await rows(page).first().waitFor();
    await page.waitForTimeout(1_000); // what was recorded meanwhile would arrive live
    await crm.audit.flush();
    const alice = (await storedEvents(crm.audit.connection, { tenantId: 'acme', action: 'user.login' })).find((event) => event.actor.name?.startsWith('Alice'))!.actor.id;
    const ownReads = await storedEvents(crm.audit.connection, { tenantId: 'acme', action: 'audit_log.viewed', 'actor.id': alice });
    expect(ownReads.length).toBeGreaterThanOrEqual(2);
    const ownReadIds = new Set(ownReads.map((event) => event.id));
    const shownIds = async () => (await rows(page).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-event-id')))).filter((id) => ownReadIds.has(id!));
    expect(await shownIds()).toEqual([]);

    const toggle = page.getByLabel('Show my own searches of the log');
    await applied(page, () => toggle.check());
    expect(new URL(page.url()).searchParams.get('reads')).toBe('shown');
    expect((await shownIds()).length).toBeGreaterThanOrEqual(2);
    expect(await page.getByText('Searched the audit log').count()).toBeGreaterThanOrEqual(2);
    await applied(page, () => toggle.uncheck());
    expect(await shownIds()).toEqual([]);
    await page.context().close();
  });

  it('opens the whole history of a record from its event in one click, with its own URL', async () => {
    const mark = await crm.apiSession('acme', 'mark@acme.test');
    const [contact] = await mark.contacts.list.query();
    await mark.contacts.update.mutate({ id: String(contact!._id), patch: { phone: '+44 20 7946 0111' } });
    await mark.contacts.update.mutate({ id: String(contact!._id), patch: { phone: '+44 20 7946 0222', status: 'customer' } });
    await crm.audit.flush();
    const page = await newPage();
    await signIn(page);
    const row = rows(page).filter({ hasText: `Updated contact "${contact!.name}"` }).first();
    await row.waitFor();
    await row.locator('td[data-label="Subject"] button').click();
    await page.getByRole('heading', { name: contact!.name }).waitFor();
    const url = new URL(page.url());
    expect([url.searchParams.get('history'), url.searchParams.get('record')]).toEqual(['contact', String(contact!._id)]);

    const stored = (await storedEvents(crm.audit.connection, { tenantId: 'acme', 'subject.type': 'contact', 'subject.id': String(contact!._id) })).reverse();
    const items = page.locator('.history-item');
    await items.first().waitFor();
    expect(await items.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-event-id')))).toEqual(stored.map((event) => event.id));
    const newest = items.first();
    expect(await newest.locator('.diff-table tr', { hasText: 'phone' }).locator('del').innerText()).toBe('+44 20 7946 0111');
    expect(await newest.locator('.diff-table tr', { hasText: 'phone' }).locator('ins').innerText()).toBe('+44 20 7946 0222');
    await screenshot(page, 'record-history');

    // Its own URL: opened directly, the same history.
    await page.goto(url.href);
    await items.first().waitFor();
    expect(await items.count()).toBe(stored.length);
    await page.getByRole('button', { name: '← All events' }).click();
    await rows(page).first().waitFor();

    // From the detail panel too.
    await rows(page).filter({ hasText: `Updated contact "${contact!.name}"` }).first().click();
    await page.getByRole('dialog').getByRole('button', { name: 'Whole history of this record' }).click();
    await page.getByRole('heading', { name: contact!.name }).waitFor();
    await page.context().close();
  });

  it('charts events per day for the filters and narrows the dates to the bars dragged across', async () => {
    const page = await newPage();
    await signIn(page);
    await rows(page).first().waitFor();
    await page.getByLabel('Search', { exact: true }).fill('chart probe');
    await applied(page, () => page.getByRole('button', { name: 'Search', exact: true }).click());
    const bars = page.locator('.activity-bar');
    await page.getByText(/^4 events, per day/).waitFor();
    const dayKey = (daysAgo: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(Date.now() - daysAgo * DAY));
    const keys = await bars.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-key')));
    expect(keys[0]).toBe(dayKey(8));
    expect(keys.length).toBeGreaterThanOrEqual(9);
    await screenshot(page, 'activity-chart');
    await page.getByText('Activity as a table').click();
    const tableCounts = await page.locator('.activity-table tbody td.cell-number').allInnerTexts();
    expect(tableCounts.map(Number).reduce((sum, count) => sum + count, 0)).toBe(4);
    await page.getByText('Activity as a table').click();

    const from = await bars.nth(keys.indexOf(dayKey(6))).boundingBox();
    const to = await bars.nth(keys.indexOf(dayKey(4))).boundingBox();
    await applied(page, async () => {
      await page.mouse.move(from!.x + from!.width / 2, from!.y + from!.height / 2);
      await page.mouse.down();
      await page.mouse.move(to!.x + to!.width / 2, to!.y + to!.height / 2, { steps: 8 });
      await page.mouse.up();
    });
    const params = new URL(page.url()).searchParams;
    expect([params.get('from'), params.get('to'), params.get('q')]).toEqual([dayKey(6), dayKey(4), 'chart probe']);
    expect(await page.locator('td[data-label="Description"]').allInnerTexts()).toEqual(['Viewed chart probe 4 days ago', 'Viewed chart probe 6 days ago']);
    expect(await page.getByLabel('From').inputValue()).toBe(dayKey(6));
    await page.context().close();
  });

  it('folds the filters behind "Filters (n)" on a phone and keeps each date on one line at 1366 px', async () => {
    const phone = await newPage({ width: 375, height: 812 });
    await signIn(phone);
    await phone.goto(`${crm.origin}/audit-log?q=contact&status=success`);
    await rows(phone).first().waitFor();
    const toggle = phone.getByRole('button', { name: 'Filters (2)' });
    expect(await toggle.isVisible()).toBe(true);
    expect(await phone.getByLabel('Search', { exact: true }).isVisible()).toBe(false);
    await toggle.click();
    expect(await phone.getByLabel('Search', { exact: true }).inputValue()).toBe('contact');
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await phone.context().close();

    const laptop = await newPage({ width: 1366, height: 768 });
    await signIn(laptop);
    await rows(laptop).first().waitFor();
    expect(await laptop.getByRole('button', { name: /^Filters \(/ }).isVisible()).toBe(false);
    const lines = await laptop.locator('td[data-label="Date and time"] time').evaluateAll((elements) => elements.map((element) => element.getClientRects().length));
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines)).toEqual(new Set([1]));
    await laptop.context().close();
  });
});
