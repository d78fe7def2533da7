import { withReturnTo, ZAdminPageConfig } from '../../server/http/admin-page.config';
import { ADMIN_PAGE_PLACEHOLDER, createAdminPageRouter, renderAdminPageHtml } from '../../server/http/admin-page.route';

describe('admin page settings (what the server tells the page)', () => {
  const template = `<html><head><meta charset="utf-8" />${ADMIN_PAGE_PLACEHOLDER}<script src="./assets/a.js"></script></head></html>`;
  const config = { trpcUrl: '/trpc', signInUrl: '/login?next={returnTo}', signOutUrl: null };

  it('puts the mount as <base href> and the settings as JSON in place of the placeholder', () => {
    const html = renderAdminPageHtml(template, { baseHref: '/admin/audit/', config })!;
    expect(html).toContain('<base href="/admin/audit/" />');
    const json = /<script type="application\/json" id="audit-log-page-config">(.*?)<\/script>/.exec(html)![1]!;
    expect(ZAdminPageConfig.parse(JSON.parse(json))).toEqual(config);
    expect(html.indexOf('<base')).toBeLessThan(html.indexOf('./assets/a.js'));
  });

  it('keeps settings text from ending the script element or the base attribute', () => {
    const html = renderAdminPageHtml(template, { baseHref: '/x"><script>alert(1)</script>/', config: { ...config, signInUrl: '/login?x=</script><script>alert(1)</script>' } })!;
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).toContain('<base href="/x&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;/" />');
  });

  it('answers null for a build without the placeholder', () => {
    expect(renderAdminPageHtml('<html><head></head></html>', { baseHref: '/', config })).toBeNull();
  });

  it('puts the page’s own path, encoded, where a link says {returnTo}', () => {
    expect(withReturnTo('/login?next={returnTo}', '/audit-log?user=u1&q=a b')).toBe('/login?next=%2Faudit-log%3Fuser%3Du1%26q%3Da%20b');
    expect(withReturnTo('/logout', '/audit-log')).toBe('/logout');
  });

  it('refuses a sign-in link that is not a path or an http(s) URL, naming the option', () => {
    expect(() => createAdminPageRouter({ signInUrl: 'javascript:alert(1)' }, { servesApi: true })).toThrow('crm-audit-log: adminPage options: signInUrl: must be a path or an http(s) URL');
    expect(() => createAdminPageRouter({ signInUrl: 'https://id.example.com/login', signOutUrl: '../logout' }, { servesApi: true })).not.toThrow();
  });

  it('requires the tRPC endpoint when the same router does not serve the API', () => {
    expect(() => createAdminPageRouter({}, { servesApi: false })).toThrow(/adminPage.trpcUrl is required with api: false/);
    expect(() => createAdminPageRouter({ trpcUrl: '/trpc' }, { servesApi: false })).not.toThrow();
  });
});
