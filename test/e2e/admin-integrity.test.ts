import { readFile } from 'node:fs/promises';
import express from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHECKPOINTS_COLLECTION, generateSigningKey, parsePublicKeyFile, verifyCheckpoint } from '../../server/integrity';
import { e2eBrowserLaunchOptions } from '../helpers/find-browser';
import { startRestHost, signInToPage, type RestHost } from './rest-host';

/**
 * The admin page's integrity panel in Chromium, in a REST host whose log is signed: the latest
 * checkpoint, a verify run ("verified up to checkpoint N"), and the public key and checkpoint as
 * downloads that check against each other.
 */
const KEY = generateSigningKey('e2e-page-2026');

describe('the admin page shows the log\u2019s integrity', () => {
  let host: RestHost;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    host = await startRestHost('e2e-integrity', express, { integrity: { signingKey: KEY.signerKey, sealer: { pollIntervalMs: 200 } } });
    for (const number of [1, 2, 3]) {
      host.auditLog.record({ actor: { id: 'billing', name: 'Billing job', type: 'system' }, action: 'record.created', subject: { type: 'invoice', id: `inv-${number}` }, description: `Created invoice ${number}` });
    }
    await host.auditLog.flush();
    const checkpoints = host.mongo.connection.db!.collection(CHECKPOINTS_COLLECTION);
    const deadline = Date.now() + 60_000;
    while ((await checkpoints.countDocuments({ size: { $gte: 3 } })) === 0) {
      if (Date.now() > deadline) throw new Error('no checkpoint of the three events within 60 s');
      await new Promise((done) => setTimeout(done, 200));
    }
    browser = await chromium.launch(e2eBrowserLaunchOptions());
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await signInToPage(page, host);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('verifies the log up to the latest checkpoint on demand', async () => {
    const panel = page.getByRole('region', { name: 'Integrity' });
    await panel.getByTestId('integrity-checkpoint').waitFor();
    expect(await panel.getByTestId('integrity-verdict').innerText()).toBe('Not checked yet.');
    await panel.getByRole('button', { name: 'Verify now' }).click();
    await panel.getByText(/^Verified up to checkpoint \d+ at /).waitFor();
  });

  it('downloads the public key and a checkpoint that it verifies', async () => {
    const panel = page.getByRole('region', { name: 'Integrity' });
    const [keyDownload] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Download public key' }).click()]);
    const [checkpointDownload] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Download checkpoint' }).click()]);
    const keys = parsePublicKeyFile(await readFile((await keyDownload.path())!, 'utf8'));
    const note = await readFile((await checkpointDownload.path())!, 'utf8');
    expect(keys.map((key) => key.key.name)).toEqual(['e2e-page-2026']);
    expect(verifyCheckpoint(note, keys)).toMatchObject({ ok: true, fields: { tenantId: expect.any(String) } });
  });
});
