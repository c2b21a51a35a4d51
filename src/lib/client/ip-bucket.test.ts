import { describe, expect, it } from 'vitest';
import { ipBucket } from './ip-bucket';

describe('ipBucket', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(ipBucket('203.0.113.7')).toBe('203.0.113.7');
  });

  it('groups every address of one IPv6 /64 together, however it is written', () => {
    const bucket = ipBucket('2001:db8:1:2::1');
    expect(bucket).toBe('2001:db8:1:2::/64');
    expect(ipBucket('2001:0db8:0001:0002:ffff:eeee:dddd:cccc')).toBe(bucket);
    expect(ipBucket('2001:DB8:1:2:0:0:0:99')).toBe(bucket);
  });

  it('tells apart two /64s of one /48', () => {
    expect(ipBucket('2001:db8:1:3::1')).not.toBe(ipBucket('2001:db8:1:2::1'));
  });

  it('handles leading ::, embedded IPv4 and zone ids', () => {
    expect(ipBucket('::1')).toBe('0:0:0:0::/64');
    expect(ipBucket('::ffff:192.0.2.1')).toBe('0:0:0:0::/64');
    expect(ipBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('passes through what is not an address, and names a missing one', () => {
    expect(ipBucket(null)).toBe('unknown');
    expect(ipBucket('not:an:ip::x')).toBe('not:an:ip::x');
    expect(ipBucket('1::2::3')).toBe('1::2::3');
  });
});
