import { ConfigError, parseConfig } from '../../server/config';

describe('parseConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.MONGODB_URI).toBeUndefined();
    expect(config.AUDIT_LOG_BASE_PATH).toBe('/audit-log');
  });

  it('parses numbers, lists and flags from strings', () => {
    const config = parseConfig({ PORT: '8080', CORS_ORIGINS: 'https://a.example, https://b.example', TRUST_PROXY: 'yes' });
    expect(config).toMatchObject({ PORT: 8080, CORS_ORIGINS: ['https://a.example', 'https://b.example'], TRUST_PROXY: true });
  });

  it('lists every problem in one message, naming each variable', () => {
    let thrown: unknown;
    try {
      parseConfig({ PORT: 'eighty', MONGODB_URI: 'postgres://x', TRUST_PROXY: 'maybe' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const { message, problems } = thrown as ConfigError;
    expect(problems).toHaveLength(3);
    expect(message).toMatch(/^Invalid configuration:\n/);
    expect(message).toContain('PORT: ');
    expect(message).toContain('(got "eighty")');
    expect(message).toContain('MONGODB_URI: expected a mongodb:// or mongodb+srv:// URI');
    expect(message).toContain('TRUST_PROXY: expected true or false');
  });

  it('never echoes secret values in the error', () => {
    expect(() => parseConfig({ AUDIT_LOG_SECRET: 'short-secret-value' })).toThrow(/AUDIT_LOG_SECRET: must be at least 32 characters$/m);
    expect(() => parseConfig({ AUDIT_LOG_SECRET: 'short-secret-value' })).not.toThrow(/short-secret-value/);
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig({ PORT: '' }).PORT).toBe(3000);
  });
});
