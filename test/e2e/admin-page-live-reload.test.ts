import express from 'express';
import { Redis } from 'ioredis';
import { chromium, type Browser, type Page } from 'playwright-core';
import { e2eBrowserLaunchOptions } from '../helpers/find-browser';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server';
import { startRestHost, signInToPage, type RestHost } from './rest-host';

/**
 * The admin page when its live view says "reload": a REST host on a redis-server of this suite's
 * own, replaying at most 3 missed events; its subscriber connection is cut while 8 events are
 * recorded, so the server cannot replay them and tells the page, which reads its list again.
 */
describe('the admin page after an interruption it cannot replay', () => {
  let redis: OwnRedis;
  let host: RestHost;
  let browser: Browser;
  let page: Page;
  let listRequests = 0;
  const rows = () => page.locator('table.events-table tbody tr');

  const record = (description: string) =>
    host.auditLog.record({ actor: { id: 'billing', name: 'Billing job', type: 'system' }, action: 'record.created', subject: { type: 'invoice', id: description }, description });

  beforeAll(async () => {
    redis = await startOwnRedis({ port: 7232 });
    host = await startRestHost('e2e-live-reload', express, { live: { maxReplay: 3 } }, { redisUrl: redis.url });
    record('Created invoice 1');
    await host.auditLog.flush();
    browser = await chromium.launch(e2eBrowserLaunchOptions());
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('request', (request) => {
      if (request.url().includes('auditLog.events.list')) listRequests += 1;
    });
    await signInToPage(page, host);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await redis?.stop();
  });

  it('reads its list again and shows every event recorded while live updates were cut', async () => {
    await rows().first().waitFor();
    // The view is open once a live event arrives on it.
    await page.getByRole('button', { name: /^Live/ }).waitFor();
    record('Created invoice live');
    await rows().filter({ hasText: 'Created invoice live' }).waitFor();
    const before = listRequests;

    const operator = new Redis(redis.url);
    try {
      await operator.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      for (let n = 1; n <= 8; n++) record(`Missed invoice ${n}`);
      await host.auditLog.flush();
    } finally {
      operator.disconnect();
    }

    for (let n = 1; n <= 8; n++) await rows().filter({ hasText: `Missed invoice ${n}` }).waitFor({ timeout: 20_000 });
    expect(listRequests).toBeGreaterThan(before);
    expect(await rows().count()).toBe(10);
  });
});
