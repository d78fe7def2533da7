import express from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import { e2eBrowserLaunchOptions } from '../helpers/find-browser';
import { REST_HOST_MOUNT, REST_HOST_TENANT, startRestHost, type RestHost } from './rest-host';

// No type declarations for the npm alias; its API is express 4's, which these calls share with 5.
const express4: typeof express = require('express4');

/**
 * The admin page served by a host that is not the demo CRM: plain express, its own cookie sign-in,
 * the audit log mounted at /admin/audit with `expressRouter({ adminPage: { signInUrl, signOutUrl } })`.
 */
describe.each([
  ['express 5', express],
  ['express 4', express4],
])('the admin page in a REST host on %s', (label, expressModule) => {
  let host: RestHost;
  let browser: Browser;
  const rows = (page: Page) => page.locator('table.events-table tbody tr');

  beforeAll(async () => {
    host = await startRestHost(`e2e-page-host-${label.replace(' ', '')}`, expressModule);
    for (const number of [1001, 1002, 1003]) {
      host.auditLog.record({
        actor: { id: 'billing', name: 'Billing job', type: 'system' },
        action: 'record.created',
        subject: { type: 'invoice', id: `inv-${number}`, name: `Invoice ${number}` },
        description: `Created invoice ${number}`,
      });
    }
    await host.auditLog.flush();
    browser = await chromium.launch(e2eBrowserLaunchOptions());
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  async function openSignedIn(login: 'Ada Admin' | 'Max Member', path = REST_HOST_MOUNT): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${host.origin}${path}`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: `Continue as ${login}` }).click();
    await page.waitForURL(`${host.origin}${path}`);
    return page;
  }

  it('links a signed-out visitor to the host’s sign-in, which leads back to the same view', async () => {
    const page = await browser.newPage();
    const view = `${REST_HOST_MOUNT}?q=invoice`;
    await page.goto(`${host.origin}${view}`);
    await page.getByRole('heading', { name: 'Sign in to the audit log' }).waitFor();
    expect(await page.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe(`${host.origin}/account/sign-in?return=${encodeURIComponent(view)}`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Continue as Ada Admin' }).click();
    await page.waitForURL(`${host.origin}${view}`);
    expect(await page.getByLabel('Search', { exact: true }).inputValue()).toBe('invoice');
    await page.close();
  });

  it('lists the host’s events for its admin, through the API under the same mount', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const listed = page.waitForResponse((response) => response.url().startsWith(`${host.origin}${REST_HOST_MOUNT}/trpc/`) && response.url().includes('auditLog.events.list'));
    await page.goto(`${host.origin}${REST_HOST_MOUNT}`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Continue as Ada Admin' }).click();
    expect((await listed).status()).toBe(200);
    await rows(page).filter({ hasText: 'Created invoice 1003' }).waitFor();
    expect(await page.locator('.topbar').innerText()).toContain(REST_HOST_TENANT);
    const descriptions = await page.locator('td[data-label="Description"]').allInnerTexts();
    expect(descriptions.filter((text) => text.startsWith('Created invoice'))).toEqual(['Created invoice 1003', 'Created invoice 1002', 'Created invoice 1001']);
    await page.close();
  });

  it('opens from a deeper path under the mount, its assets and API still found', async () => {
    const page = await openSignedIn('Ada Admin', `${REST_HOST_MOUNT}/some/deeper/path`);
    await rows(page).filter({ hasText: 'Created invoice 1001' }).waitFor();
    expect(await page.evaluate('document.baseURI')).toBe(`${host.origin}${REST_HOST_MOUNT}/`);
    await page.close();
  });

  it('refuses a member with the "not allowed" page, whose sign-out is the host’s', async () => {
    const page = await openSignedIn('Max Member');
    await page.getByRole('heading', { name: 'You are not allowed to see the audit log' }).waitFor();
    expect(await page.locator('table.events-table').count()).toBe(0);
    await page.getByRole('link', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Northwind sign-in' }).waitFor();
    await page.goto(`${host.origin}${REST_HOST_MOUNT}`);
    await page.getByRole('heading', { name: 'Sign in to the audit log' }).waitFor();
    await page.close();
  });
});
