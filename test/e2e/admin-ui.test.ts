import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../examples/crm/seed-data';
import { storedEvents } from '../fixtures/stored-events';
import { e2eBrowserLaunchOptions } from '../helpers/find-browser';
import { startE2eCrm, type E2eCrm } from './e2e-crm';

/**
 * The admin UI in a real browser (the Chromium, Chrome or Edge that jest.config.js found, driven by
 * playwright-core) against the demo CRM with a real database, Redis and export worker.
 * SCREENSHOTS=1 also refreshes docs/screenshots/.
 */
const SCREENSHOT_DIR = resolve(__dirname, '../../docs/screenshots');
const takeScreenshots = process.env.SCREENSHOTS === '1';
const DESKTOP_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

async function screenshot(page: Page, name: string): Promise<void> {
  if (!takeScreenshots) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOT_DIR, `${name}.png`) });
}

describe('admin UI in Chromium', () => {
  let crm: E2eCrm;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** The contact another session updated, whose event the detail panel opens. */
  let updatedContact = '';

  const rows = () => page.locator('table.events-table tbody tr');
  const cellTexts = (label: string) => page.locator(`table.events-table tbody td[data-label="${label}"]`).allInnerTexts();

  /** Through the demo CRM's own sign-in page, which the audit log page links to and which leads back. */
  async function signIn(target: Page, email: string, tenant = 'acme'): Promise<void> {
    await target.goto(`${crm.origin}/audit-log`);
    await target.getByRole('link', { name: 'Sign in' }).click();
    await target.getByLabel('Workspace').fill(tenant);
    await target.getByLabel('E-mail').fill(email);
    await target.getByLabel('Password').fill(DEMO_PASSWORD);
    await target.getByRole('button', { name: 'Sign in' }).click();
    await target.waitForURL(`${crm.origin}/audit-log`);
  }

  /** Applies the filter form and waits for the list of that view. */
  async function search(): Promise<void> {
    const listed = page.waitForResponse((response) => response.url().includes('auditLog.events.list'));
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await listed;
    await page.locator('[aria-busy="true"]').waitFor({ state: 'detached' }).catch(() => undefined);
  }

  beforeAll(async () => {
    crm = await startE2eCrm('e2e-admin-ui');
    browser = await chromium.launch(e2eBrowserLaunchOptions());
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, userAgent: DESKTOP_UA, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await crm?.stop();
  });

  it('refuses a member with a clear "not allowed" page', async () => {
    const memberContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, userAgent: DESKTOP_UA });
    const memberPage = await memberContext.newPage();
    await signIn(memberPage, 'mark@acme.test');
    await memberPage.getByRole('heading', { name: 'You are not allowed to see the audit log' }).waitFor();
    expect(await memberPage.locator('table.events-table').count()).toBe(0);
    if (takeScreenshots) await memberPage.screenshot({ path: resolve(SCREENSHOT_DIR, 'not-allowed.png') });
    await memberContext.close();
  });

  it('signs an admin in and shows the newest event first, in the viewer’s time zone', async () => {
    await page.goto(`${crm.origin}/audit-log`);
    await page.getByRole('heading', { name: 'Sign in to the audit log' }).waitFor();
    await screenshot(page, 'sign-in');
    await signIn(page, 'alice@acme.test');
    await rows().first().waitFor();
    await page.waitForTimeout(500); // the search's own record would arrive live, but the admin's own reads are hidden
    await crm.audit.flush();
    const newest = (await storedEvents(crm.audit.connection, { tenantId: 'acme', action: { $ne: 'audit_log.viewed' } })).at(-1);
    expect(await rows().first().getAttribute('data-event-id')).toBe(newest!.id);
    const times = await page.locator('table.events-table tbody time').evaluateAll((elements) => elements.map((element) => Date.parse(element.getAttribute('datetime')!)));
    expect(times.length).toBeGreaterThan(10);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const shown = await rows().first().locator('td[data-label="Date and time"]').innerText();
    expect(shown).toBe(new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Europe/Berlin' }).format(newest!.occurredAt));
    await screenshot(page, 'audit-log');
  });

  it('shows a new event live, at the top, when another session acts', async () => {
    const bob = await crm.apiSession('acme', 'mark@acme.test');
    const [contact] = await bob.contacts.list.query();
    await bob.contacts.update.mutate({ id: String(contact!._id), patch: { phone: '+44 20 7946 0999', status: 'customer' } });
    updatedContact = contact!.name;
    const liveRow = rows().filter({ hasText: `Updated contact "${contact!.name}"` }).first();
    await liveRow.waitFor({ timeout: 10_000 });
    expect(await rows().first().getAttribute('data-event-id')).toBe(await liveRow.getAttribute('data-event-id'));
    expect(await rows().first().locator('td[data-label="User"]').innerText()).toBe('Mark Member');
    expect(await liveRow.getAttribute('class')).toContain('event-row-live');
    expect(await liveRow.locator('td[data-label="Device"]').innerText()).toBe('Mobile');
    expect(await liveRow.locator('td[data-label="IP address"]').innerText()).toBe('198.51.100.23');
  });

  it('holds live events while paused and shows them on resume', async () => {
    const mark = await crm.apiSession('acme', 'mark@acme.test');
    const [, contact] = await mark.contacts.list.query();
    const toggle = page.getByRole('button', { name: /Live|Paused/ });
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await mark.contacts.update.mutate({ id: String(contact!._id), patch: { phone: '+1 202 555 0199' } });
    await page.getByRole('button', { name: /Paused · \d+ new/ }).waitFor({ timeout: 10_000 });
    expect(await rows().filter({ hasText: `Updated contact "${contact!.name}"` }).count()).toBe(0);
    await toggle.click();
    await rows().filter({ hasText: `Updated contact "${contact!.name}"` }).first().waitFor();
  });

  it('opens a detail panel with session, user agent and the before/after diff; Escape closes it', async () => {
    const row = rows().filter({ hasText: `Updated contact "${updatedContact}"` }).first();
    await row.focus();
    await page.keyboard.press('Enter');
    const panel = page.getByRole('dialog');
    await panel.waitFor();
    expect(await panel.locator('.detail-field', { hasText: 'Session ID' }).locator('dd').innerText()).toMatch(/\S{8,}/);
    expect(await panel.locator('.detail-field', { hasText: 'User agent' }).locator('dd').innerText()).toContain('iPhone');
    expect(await panel.locator('.detail-field', { hasText: 'Browser / OS' }).locator('dd').innerText()).toMatch(/Safari.*iOS/);
    const phoneChange = panel.locator('.diff-table tbody tr', { hasText: 'phone' });
    expect(await phoneChange.locator('ins').innerText()).toBe('+44 20 7946 0999');
    await screenshot(page, 'detail-panel');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('TR');
  });

  it('filters by user, keeping the filters in the URL', async () => {
    const marksId = (await crm.apiSession('acme', 'mark@acme.test').then((client) => client.auth.me.query())).user!.id;
    await page.getByLabel('User').selectOption(marksId);
    await search();
    expect(new URL(page.url()).searchParams.get('user')).toBe(marksId);
    const users = await cellTexts('User');
    expect(users.length).toBeGreaterThan(0);
    expect(new Set(users)).toEqual(new Set(['Mark Member']));
    await page.reload();
    await rows().first().waitFor();
    expect(await page.getByLabel('User').inputValue()).toBe(marksId);
    expect(new Set(await cellTexts('User'))).toEqual(new Set(['Mark Member']));
  });

  it('filters by action, and Reset returns to everything', async () => {
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await rows().first().waitFor();
    await page.getByLabel('Action').selectOption('record.created');
    await search();
    const actions = await cellTexts('Action');
    expect(actions.length).toBeGreaterThanOrEqual(7);
    expect(new Set(actions)).toEqual(new Set(['Record created']));
    expect(new URL(page.url()).search).toBe('?action=record.created');
  });

  it('searches the description and subject text', async () => {
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByLabel('Search', { exact: true }).fill('initech');
    await search();
    const descriptions = await cellTexts('Description');
    const subjects = await cellTexts('Subject');
    expect(descriptions.length).toBeGreaterThanOrEqual(2);
    descriptions.forEach((description, index) => expect(`${description} ${subjects[index]}`.toLowerCase()).toContain('initech'));
    await screenshot(page, 'filtered');
    await page.getByLabel('Search', { exact: true }).fill('no event says this');
    await search();
    await page.getByText('No events match these filters').waitFor();
    await screenshot(page, 'empty');
  });

  it('pages older events in with "Load more" on the keyset cursor', async () => {
    const start = Date.now() - 3_600_000;
    for (let n = 0; n < 60; n++) {
      crm.audit.record({
        tenantId: 'acme',
        occurredAt: new Date(start + n * 1_000),
        actor: { id: 'report-bot', name: 'Report Bot', type: 'system' },
        action: 'record.viewed',
        subject: { type: 'report', id: `r-${n}`, name: `Quarterly report ${n}` },
        description: `Viewed quarterly report ${n}`,
      });
    }
    await crm.audit.flush();
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByLabel('Search', { exact: true }).fill('quarterly report');
    await search();
    await page.getByRole('button', { name: 'Load more' }).waitFor();
    expect(await rows().count()).toBe(50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('That is everything matching these filters.').waitFor();
    const descriptions = await cellTexts('Description');
    expect(descriptions).toEqual(Array.from({ length: 60 }, (_, index) => `Viewed quarterly report ${59 - index}`));
  });

  it.each(['csv', 'xlsx'] as const)('exports the current view as %s, shows progress and a link, and the file reads back', async (format) => {
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByLabel('Action').selectOption('record.created');
    await search();
    const expected = (await cellTexts('Description')).length;
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.getByRole('menuitem', { name: format === 'csv' ? 'CSV of this view' : 'Excel (XLSX) of this view' }).click();
    // This export's own link: until the create call answers, the progress panel still shows the
    // previous case's "CSV ready … Download", and a locator for any Download link downloaded that CSV.
    const progress = page.locator('.export-progress', { hasText: `${format === 'csv' ? 'CSV' : 'Excel (XLSX)'} ready` });
    const link = progress.getByRole('link', { name: 'Download' });
    await link.waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^audit-log-\\d{4}-\\d{2}-\\d{2}-[0-9a-f]{24}\\.${format}$`));
    const bytes = readFileSync((await download.path())!);
    const table: string[][] =
      format === 'csv' ? parse(bytes.toString('utf8'), { bom: true }) : await readWorkbook(bytes);
    expect(table[0]?.slice(0, 3)).toEqual(['User', 'Date/time', 'Action']);
    expect(table).toHaveLength(expected + 1);
    expect(table.slice(1).every((row) => row[2] === 'Record created' || row[2] === 'record.created')).toBe(true);
    await page.locator('.bell .badge').waitFor({ timeout: 10_000 });
    if (format === 'xlsx') {
      await screenshot(page, 'export-ready');
      await page.getByRole('button', { name: /Notifications, \d+ unread/ }).click();
      await page.getByRole('region', { name: 'Notifications' }).getByText(/ready/i).first().waitFor();
      await screenshot(page, 'notifications');
    }
    const recent = await page.locator('.recent-exports li', { hasText: format === 'csv' ? 'CSV' : 'Excel' }).first().innerText();
    expect(recent).toContain('Ready');
    // What it contains, in words, who asked and how many rows.
    expect(recent).toMatch(/Events Record created, without your own searches of the log, all time \(Europe\/Berlin\)/);
    expect(recent).toContain('Requested by Alice');
    expect(recent).toContain(`${expected} rows`);
  });

  it('fits a 375 px wide phone screen without sideways scrolling', async () => {
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${crm.origin}/audit-log`);
    await rows().first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await screenshot(page, 'phone');
  });
});

async function readWorkbook(bytes: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  const table: string[][] = [];
  sheet.eachRow((row) => table.push((row.values as unknown[]).slice(1).map((value) => (value instanceof Date ? value.toISOString() : String(value ?? '')))));
  return table;
}
