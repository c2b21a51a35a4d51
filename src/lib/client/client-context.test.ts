import { describe, expect, it } from 'vitest';
import { clientContext, deviceFingerprint, userAgentFamily } from './client-context';
import { sha256Hex } from '../sha256';

const CHROME_120_A =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36';
const CHROME_120_B =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.130 Safari/537.36';
const CHROME_121 =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.6167.85 Safari/537.36';
const FIREFOX_120 = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0';

function request(headers: Record<string, string>, cf?: Record<string, unknown>): Request {
  const req = new Request('https://auth.example.com/v1/auth/login', { method: 'POST', headers });
  if (cf) Object.defineProperty(req, 'cf', { value: cf });
  return req;
}

const browser = (extra: Record<string, string> = {}) => ({
  'user-agent': CHROME_120_A,
  'accept-language': 'en-GB,en;q=0.9',
  'sec-ch-ua-platform': '"Windows"',
  'sec-ch-ua-mobile': '?0',
  ...extra,
});

describe('clientContext: IP and user agent', () => {
  it('takes the IP from CF-Connecting-IP, not X-Forwarded-For', async () => {
    const ctx = await clientContext(request({ 'cf-connecting-ip': '203.0.113.7', 'x-forwarded-for': '198.51.100.1' }));
    expect(ctx.ip).toBe('203.0.113.7');
  });

  it('has a null IP without CF-Connecting-IP (X-Forwarded-For is client-controlled and ignored)', async () => {
    const ctx = await clientContext(request({ 'x-forwarded-for': '198.51.100.1' }));
    expect(ctx.ip).toBeNull();
  });

  it('keeps the user agent as sent when short', async () => {
    expect((await clientContext(request(browser()))).userAgent).toBe(CHROME_120_A);
  });

  it('truncates the user agent to 512 characters', async () => {
    const long = `Mozilla/5.0 ${'x'.repeat(1000)}`;
    const ctx = await clientContext(request({ 'user-agent': long }));
    expect(ctx.userAgent).toHaveLength(512);
    expect(ctx.userAgent).toBe(long.slice(0, 512));
  });

  it('has a null user agent when none is sent', async () => {
    expect((await clientContext(request({}))).userAgent).toBeNull();
  });
});

describe('clientContext: location from request.cf', () => {
  it('reads country, city and numeric coordinates', async () => {
    const ctx = await clientContext(
      request({}, { country: 'GB', city: 'London', latitude: 51.5074, longitude: -0.1278 }),
    );
    expect(ctx).toMatchObject({ country: 'GB', city: 'London', latitude: 51.5074, longitude: -0.1278 });
  });

  it('parses coordinates sent as numeric strings (the form Cloudflare uses)', async () => {
    const ctx = await clientContext(
      request({}, { country: 'US', city: 'San Francisco', latitude: '37.77490', longitude: '-122.41940' }),
    );
    expect(ctx.latitude).toBe(37.7749);
    expect(ctx.longitude).toBe(-122.4194);
    expect(typeof ctx.latitude).toBe('number');
  });

  it('turns non-numeric or non-finite coordinates into null', async () => {
    const ctx = await clientContext(request({}, { latitude: 'north', longitude: Infinity }));
    expect(ctx.latitude).toBeNull();
    expect(ctx.longitude).toBeNull();
    const other = await clientContext(request({}, { latitude: { value: 1 }, longitude: 'NaN' }));
    expect(other.latitude).toBeNull();
    expect(other.longitude).toBeNull();
  });

  it('turns an empty or non-string country/city into null', async () => {
    const ctx = await clientContext(request({}, { country: '', city: 42 }));
    expect(ctx.country).toBeNull();
    expect(ctx.city).toBeNull();
  });

  it('has null location fields when the request carries no cf object', async () => {
    const ctx = await clientContext(request({ 'cf-connecting-ip': '203.0.113.7' }));
    expect(ctx).toMatchObject({ country: null, city: null, latitude: null, longitude: null });
  });
});

describe('device fingerprint', () => {
  it('is 32 lower-case hex characters', async () => {
    expect((await clientContext(request(browser()))).fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is the same fingerprint clientContext reports', async () => {
    const req = request(browser());
    expect((await clientContext(req)).fingerprint).toBe(await deviceFingerprint(req.headers));
  });

  it('does not change when the IP and location change (a phone moving between networks)', async () => {
    const home = await clientContext(
      request(browser({ 'cf-connecting-ip': '203.0.113.7' }), { country: 'GB', city: 'London' }),
    );
    const away = await clientContext(
      request(browser({ 'cf-connecting-ip': '2001:db8::1' }), { country: 'FR', city: 'Paris' }),
    );
    expect(away.ip).not.toBe(home.ip);
    expect(away.fingerprint).toBe(home.fingerprint);
  });

  it('does not change across Chrome minor versions of one major', async () => {
    const a = await deviceFingerprint(new Headers(browser({ 'user-agent': CHROME_120_A })));
    const b = await deviceFingerprint(new Headers(browser({ 'user-agent': CHROME_120_B })));
    expect(b).toBe(a);
  });

  it('changes with the browser major version', async () => {
    const a = await deviceFingerprint(new Headers(browser({ 'user-agent': CHROME_120_A })));
    const b = await deviceFingerprint(new Headers(browser({ 'user-agent': CHROME_121 })));
    expect(b).not.toBe(a);
  });

  it('changes with the browser family', async () => {
    const chrome = await deviceFingerprint(new Headers(browser({ 'user-agent': CHROME_120_A })));
    const firefox = await deviceFingerprint(new Headers(browser({ 'user-agent': FIREFOX_120 })));
    expect(firefox).not.toBe(chrome);
  });

  it("changes with the primary accept-language, but not with the rest of the header's list", async () => {
    const gb = await deviceFingerprint(new Headers(browser({ 'accept-language': 'en-GB,en;q=0.9' })));
    const de = await deviceFingerprint(new Headers(browser({ 'accept-language': 'de-DE,de;q=0.9' })));
    const gbMore = await deviceFingerprint(new Headers(browser({ 'accept-language': 'en-GB,fr;q=0.5' })));
    expect(de).not.toBe(gb);
    expect(gbMore).toBe(gb);
  });

  it('changes with the platform and mobile client hints', async () => {
    const desktop = await deviceFingerprint(new Headers(browser()));
    const mac = await deviceFingerprint(new Headers(browser({ 'sec-ch-ua-platform': '"macOS"' })));
    const mobile = await deviceFingerprint(new Headers(browser({ 'sec-ch-ua-mobile': '?1' })));
    expect(mac).not.toBe(desktop);
    expect(mobile).not.toBe(desktop);
  });

  it('works without any headers', async () => {
    expect(await deviceFingerprint(new Headers())).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is the hash of the traits, so sessions stored before the memo keep matching their device', async () => {
    const traits = 'Chrome/120|en-GB|"Windows"|?0';
    const expected = (await sha256Hex(traits)).slice(0, 32);
    expect(await deviceFingerprint(new Headers(browser()))).toBe(expected);
    expect(await deviceFingerprint(new Headers(browser()))).toBe(expected); // the memo's answer
  });

  it('is the same for headers too long to keep in the memo, and differs when only their tail does', async () => {
    const long = `${CHROME_120_A} ${'x'.repeat(2000)}`;
    const a = await deviceFingerprint(new Headers(browser({ 'user-agent': long })));
    expect(await deviceFingerprint(new Headers(browser({ 'user-agent': long })))).toBe(a);
    expect(a).toBe(await deviceFingerprint(new Headers(browser()))); // one family, one language: one device
    const otherLanguage = await deviceFingerprint(
      new Headers(browser({ 'user-agent': long, 'accept-language': `fr-FR,${'y'.repeat(2000)}` })),
    );
    expect(otherLanguage).not.toBe(a);
  });
});

describe('clientContext: where the request came from', () => {
  it('reads request.cf once, on the first location field asked for, and not at all when none is', async () => {
    let reads = 0;
    const req = new Request('https://auth.example.com/api/auth/me', { headers: browser() });
    Object.defineProperty(req, 'cf', {
      get: () => {
        reads += 1;
        return { country: 'GB', city: 'London', latitude: '51.5', longitude: '-0.12', asn: 2856, colo: 'LHR' };
      },
    });
    const ctx = await clientContext(req);
    expect(ctx.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(reads).toBe(0);
    expect([ctx.country, ctx.city, ctx.latitude, ctx.longitude, ctx.asn, ctx.colo]).toEqual([
      'GB',
      'London',
      51.5,
      -0.12,
      2856,
      'LHR',
    ]);
    expect(reads).toBe(1);
  });
});

describe('userAgentFamily', () => {
  it('reduces a browser to family/major', () => {
    expect(userAgentFamily(CHROME_120_A)).toBe('Chrome/120');
    expect(userAgentFamily(FIREFOX_120)).toBe('Firefox/120');
    expect(userAgentFamily('curl/8.5.0')).toBe('curl/8');
    expect(userAgentFamily('python-requests/2.31.0')).toBe('python-requests/2');
  });

  it('falls back to the first 64 characters of an unrecognised agent', () => {
    const odd = `SomeBot ${'y'.repeat(100)}`;
    expect(userAgentFamily(odd)).toBe(odd.slice(0, 64));
  });
});
