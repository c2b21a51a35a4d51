/** The dashboard API's shapes, as docs/CONTRACT.md (Dashboard Worker) gives them. */

export interface Metrics {
  window: string;
  activeSessions: number;
  activeUsers: number;
  successfulLogins: number;
  failedLogins: number;
  tokenRefreshes: number;
  rateLimitViolations: number;
  blockedIps: number;
  openAlerts: number;
  topEvents: { type: string; count: number }[];
  series: { bucket: string; successfulLogins: number; failedLogins: number; tokenRefreshes: number }[];
}

export interface SecurityEvent {
  id: string;
  type: string;
  severity: string;
  userId: string | null;
  tokenId: string | null;
  ip: string | null;
  userAgent: string | null;
  country: string | null;
  metadata: unknown;
  createdAt: string;
}

export interface LiveSession {
  id: string;
  userId: string;
  deviceName: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  country: string | null;
  city: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: string;
  lockedUntil: string | null;
  lockReason: string | null;
  createdAt: string;
}

export interface Alert {
  id: string;
  type: string;
  severity: string;
  userId: string | null;
  ip: string | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  status: 'open' | 'acknowledged' | 'resolved';
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  delivery: { status: 'none' | 'pending' | 'sent' | 'failed'; attempts: number };
}

export interface BlockedIp {
  ip: string;
  reason: string;
  until: string;
}
