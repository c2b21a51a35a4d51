import { describe, expect, it } from 'vitest';
import { sentryOptions, sentrySettingsFrom } from './sentry-options';
import { scrubAttributes, scrubText, scrubUrl } from './scrub';

const dsn = 'https://key@o1.ingest.sentry.io/1';

describe('sentrySettingsFrom', () => {
  it('samples 10% of traces in production and all in development and test, unless told', () => {
    expect(sentrySettingsFrom({ SENTRY_DSN: dsn, ENVIRONMENT: 'production' }, undefined).tracesSampleRate).toBe(0.1);
    expect(sentrySettingsFrom({ SENTRY_DSN: dsn, ENVIRONMENT: 'development' }, undefined).tracesSampleRate).toBe(1);
    expect(
      sentrySettingsFrom({ SENTRY_DSN: dsn, ENVIRONMENT: 'test', SENTRY_TRACES_SAMPLE_RATE: '0.25' }, undefined)
        .tracesSampleRate,
    ).toBe(0.25);
  });

  it('turns Sentry off for a sample rate outside 0 to 1', () => {
    expect(sentrySettingsFrom({ SENTRY_DSN: dsn, SENTRY_TRACES_SAMPLE_RATE: '1.5' }, undefined).dsn).toBeUndefined();
    expect(sentrySettingsFrom({ SENTRY_DSN: dsn, SENTRY_TRACES_SAMPLE_RATE: 'often' }, undefined).dsn).toBeUndefined();
  });

  it('takes the release from SENTRY_RELEASE, else the version id', () => {
    expect(sentrySettingsFrom({ SENTRY_DSN: dsn, SENTRY_RELEASE: 'v1.2.3' }, 'version-id').release).toBe('v1.2.3');
    expect(sentrySettingsFrom({ SENTRY_DSN: dsn, SENTRY_RELEASE: '' }, 'version-id').release).toBe('version-id');
  });
});

describe('sentryOptions', () => {
  it('collects no body, header, cookie, query string, user or statement data', () => {
    const options = sentryOptions({ dsn, environment: 'production', tracesSampleRate: 0.1, release: undefined });
    expect(options?.dataCollection).toMatchObject({
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
    });
    expect(options?.beforeSendSpan).toBeTypeOf('function');
    expect(options?.beforeSendTransaction).toBeTypeOf('function');
  });
});

describe('scrubbers', () => {
  it('drop request data attributes and scrub the rest', () => {
    const kept = scrubAttributes({
      'http.request.body.data': '{"password":"x"}',
      'http.request.header.authorization': 'Bearer x',
      'client.address': '203.0.113.9',
      'user.email': 'a@b.co',
      'url.full': 'https://h/p?refresh_token=abc',
      'http.route': '/api/auth/login',
      'server.address': 'auth.example.com',
    });
    expect(kept).toEqual({
      'url.full': 'https://h/p',
      'http.route': '/api/auth/login',
      'server.address': 'auth.example.com',
    });
  });

  it('redact emails, JWTs, IPs, long opaque tokens and driver parameters in text', () => {
    const text = scrubText(
      'user a.b@example.com from 198.51.100.7 eyJa.eyJb.c tok_' + 'x'.repeat(43) + ' params: a@b.co,secret',
    );
    expect(text).not.toMatch(/example\.com|198\.51|eyJa|xxxxxxxx|secret/);
    expect(scrubUrl('https://h/api?x=1#f')).toBe('https://h/api');
  });
});
