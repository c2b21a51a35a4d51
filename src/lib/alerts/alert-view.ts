/** An alert as the dashboard API shows it and the webhook's JSON carries it (contract: alerts). */
import type { AlertWithDelivery } from './alert-store';
import type { SecurityAlertRow } from '../storage/schema';

export interface AlertView {
  id: string;
  type: string;
  severity: SecurityAlertRow['severity'];
  userId: string | null;
  ip: string | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  status: 'open' | 'acknowledged' | 'resolved';
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  ackNote: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  delivery: AlertWithDelivery['delivery'];
}

export function alertView({ alert, delivery }: AlertWithDelivery): AlertView {
  return {
    id: alert.id,
    type: alert.type,
    severity: alert.severity,
    userId: alert.userId,
    ip: alert.ip,
    count: alert.count,
    firstSeen: alert.firstSeen.toISOString(),
    lastSeen: alert.lastSeen.toISOString(),
    status: alert.status,
    acknowledgedBy: alert.acknowledgedBy,
    acknowledgedAt: alert.acknowledgedAt?.toISOString() ?? null,
    ackNote: alert.ackNote,
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    resolvedBy: alert.resolvedBy,
    delivery,
  };
}
