import express from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import { e2eBrowserLaunchOptions } from '../helpers/find-browser';
import { startRestHost, signInToPage, type RestHost } from './rest-host';

/**
 * The admin page when the server says no: a REST host whose read limiter admits no search at all
 * (`readLimits.total: 0`, nothing may wait), so every `events.list` is answered 429 by the real
 * limiter, and a live stream whose connection drops (the host cuts it; reconnecting fails until the
 * network is back).
 */
describe('the admin page under refusals and a dropped stream', () => {
  let host: RestHost;
  let browser: Browser;
  let page: Page;
  const listAnswers: number[] = [];

  beforeAll(async () => {
    host = await startRestHost('e2e-page-busy', express, { readLimits: { total: 0, queuedPerTenant: 0, retryAfterMs: 1_000 } });
    browser = await chromium.launch(e2eBrowserLaunchOptions());
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('response', (response) => {
      if (response.url().includes('auditLog.events.list')) listAnswers.push(response.status());
    });
    await signInToPage(page, host);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('says in words that searches are busy and asks again by itself, instead of the raw error', async () => {
    const state = page.getByRole('alert').filter({ hasText: 'Too many searches at once — retrying in a moment' });
    await state.waitFor();
    expect(await state.innerText()).toContain('starts again by itself');
    expect(await page.getByText('Too many audit-log reads at once').count()).toBe(0);
    // The server's Retry-After is 1 s: within a few seconds the page has asked again, unprompted.
    const deadline = Date.now() + 15_000;
    while (listAnswers.filter((status) => status === 429).length < 2) {
      if (Date.now() > deadline) throw new Error(`the page did not ask again (answers: ${listAnswers.join(', ')})`);
      await page.waitForTimeout(200);
    }
  });

  it('asks again at once on "Try again now"', async () => {
    // After the automatic retries the last answer stands, with a button to ask again.
    const button = page.getByRole('button', { name: 'Try again now' });
    await button.waitFor();
    const before = listAnswers.length;
    await button.click();
    const deadline = Date.now() + 10_000;
    while (listAnswers.length === before) {
      if (Date.now() > deadline) throw new Error('"Try again now" sent no request');
      await page.waitForTimeout(100);
    }
    await page.getByRole('alert').filter({ hasText: 'Too many searches at once' }).waitFor();
  });

  it('says live updates are paused while the stream reconnects, and nothing once it is back', async () => {
    await page.getByRole('button', { name: /^Live/ }).waitFor();
    await page.route('**/auditLog.events.follow**', (route) => route.abort('connectionreset'));
    host.dropConnections();
    await page.getByTestId('live-problem').filter({ hasText: 'Live updates paused — reconnecting' }).waitFor({ timeout: 20_000 });
    await page.unroute('**/auditLog.events.follow**');
    await page.getByRole('button', { name: /^Live/ }).waitFor({ timeout: 20_000 });
    await page.getByTestId('live-problem').waitFor({ state: 'detached', timeout: 20_000 });
  });
});
