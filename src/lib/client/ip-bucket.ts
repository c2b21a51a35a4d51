/**
 * The unit that per-IP defences count, limit and block: an IPv4 address as it is, an IPv6 address by
 * its /64 prefix. One IPv6 host usually holds a whole /64 and can take a new address per request;
 * keyed by full address, every per-IP limit and block would be stepped around.
 */
export function ipBucket(ip: string | null): string {
  if (!ip) return 'unknown';
  if (!ip.includes(':')) return ip;
  const groups = expandIpv6(ip.split('%')[0] ?? ip);
  if (!groups) return ip.toLowerCase();
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function expandIpv6(ip: string): string[] | undefined {
  const lower = ip.toLowerCase();
  if (!/^[0-9a-f:.]+$/.test(lower)) return undefined;
  const [head = '', tail, extra] = lower.split('::');
  if (extra !== undefined) return undefined;
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  // An embedded IPv4 tail (::ffff:192.0.2.1) takes two groups.
  const last = right.length ? right : left;
  if (last.length && last[last.length - 1]?.includes('.')) {
    const v4 = (last.pop() as string).split('.').map(Number);
    if (v4.length !== 4 || v4.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return undefined;
    last.push(((v4[0]! << 8) | v4[1]!).toString(16), ((v4[2]! << 8) | v4[3]!).toString(16));
  }
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array(tail === undefined ? 0 : missing).fill('0'), ...right];
  return groups.every((g) => /^[0-9a-f]{1,4}$/.test(g)) ? groups : undefined;
}
