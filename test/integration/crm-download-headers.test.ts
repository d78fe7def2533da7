import { startCrmProcess, type CrmProcess } from '../fixtures/crm-process';
import { mutate, query, resultOf, send, signInCookie, type RawAnswer } from '../fixtures/crm-http';

/** What helmet sets; every answer of the demo CRM carries them, downloads and their refusals included. */
const SECURITY_HEADERS = {
  'content-security-policy': expect.stringContaining("default-src 'self'"),
  'strict-transport-security': expect.stringContaining('max-age='),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
};

let crm: CrmProcess;
let cookie: string;
let downloadUrl: string;

beforeAll(async () => {
  crm = await startCrmProcess('crm_download_headers', { nodeEnv: 'production' });
  cookie = await signInCookie(crm.origin, 'acme', 'alice@acme.test');
  const created = resultOf<{ id: string }>(await mutate(crm.origin, 'auditLog.exports.create', { format: 'csv' }, { cookie, origin: crm.origin }));
  const deadline = Date.now() + 60_000;
  while (!downloadUrl && Date.now() < deadline) {
    const view = resultOf<{ status: string; file?: { downloadUrl: string } }>(await query(crm.origin, 'auditLog.exports.byId', { cookie }, { id: created.id }));
    if (view.file) downloadUrl = view.file.downloadUrl;
    else await new Promise((done) => setTimeout(done, 200));
  }
  if (!downloadUrl) throw new Error('the export did not complete within 60 s');
});

afterAll(() => crm?.stop());

function securityHeadersOf(answer: RawAnswer): Record<string, string | null> {
  return Object.fromEntries(Object.keys(SECURITY_HEADERS).map((name) => [name, answer.headers.get(name)]));
}

describe('security headers on the demo CRM\'s downloads', () => {
  it('sends them with a downloaded export', async () => {
    const answer = await send(`${crm.origin}${downloadUrl}`, { headers: { cookie } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/);
    expect(securityHeadersOf(answer)).toEqual(SECURITY_HEADERS);
  });

  it.each([
    ['a forged link', (url: string) => url.replace(/token=./, 'token=X'), 403],
    ['an unknown export', (url: string) => url.replace(/exports\/[0-9a-f]{24}/, 'exports/0123456789abcdef01234567'), 403],
    ['a malformed export id', (url: string) => url.replace(/exports\/[0-9a-f]{24}/, 'exports/not-an-id'), 404],
    ['a malformed URL', (url: string) => url.replace(/exports\/[0-9a-f]{24}/, 'exports/%E0%A4%A'), 400],
  ])('sends them when refusing %s', async (_case, change, status) => {
    const answer = await send(`${crm.origin}${change(downloadUrl)}`, { headers: { cookie } });
    expect(answer.status).toBe(status);
    expect(securityHeadersOf(answer)).toEqual(SECURITY_HEADERS);
  });

  it('sends them with a refused oversized upload and a JSON error', async () => {
    const answer = await send(`${crm.origin}/audit-log/exports/x/download`, { method: 'POST', body: 'x'.repeat(200_000) });
    expect(answer.status).toBe(413);
    expect(securityHeadersOf(answer)).toEqual(SECURITY_HEADERS);
  });
});
