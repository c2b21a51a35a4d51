/**
 * A known device: one whose fingerprint (user-agent family, first language, client hints; see
 * client-context.ts) opened an earlier session of the account. While the account is under attack from
 * elsewhere (a brute-force lock) or the address is guarded (credential stuffing), password logins from
 * a known device go on, so someone who knows only an email cannot lock its owner out.
 *
 * Sessions revoked because their refresh token was reused (a thief's copy) do not make a device known.
 * The fingerprint is not a secret: an attacker who copies the owner's browser traits passes this
 * exemption, but still spends the (email, IP), account and address budgets (docs/security.md).
 */
import { and, eq, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import type { Database } from '../storage/database';
import { sessions } from '../storage/schema';

const NOT_PROOF_OF_DEVICE = ['refresh_token_reuse'];

export async function isKnownDevice(db: Database, userId: string, fingerprint: string, now: Date): Promise<boolean> {
  const rows = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        eq(sessions.deviceFingerprint, fingerprint),
        lt(sessions.createdAt, now),
        or(isNull(sessions.revokedReason), notInArray(sessions.revokedReason, NOT_PROOF_OF_DEVICE)),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/** What the account's earlier sessions say of this client: a device, a country and a network seen before. */
export interface AccountHistory {
  knownDevice: boolean;
  knownCountry: boolean;
  knownAsn: boolean;
}

/**
 * One indexed scan of the account's sessions (sessions_user_created_idx). A session's country and ASN
 * are where it was last used. An unknown country or ASN on the client's side (null) is not news.
 */
export async function accountHistory(
  db: Database,
  userId: string,
  client: { fingerprint: string; country: string | null; asn: number | null },
  now: Date,
): Promise<AccountHistory> {
  const [row] = await db
    .select({
      knownDevice: sql<boolean>`coalesce(bool_or(${sessions.deviceFingerprint} = ${client.fingerprint} and (${sessions.revokedReason} is null or ${sessions.revokedReason} not in (${sql.join(
        NOT_PROOF_OF_DEVICE.map((r) => sql`${r}`),
        sql`, `,
      )}))), false)`,
      knownCountry: sql<boolean>`coalesce(bool_or(${sessions.country} = ${client.country}), false)`,
      knownAsn: sql<boolean>`coalesce(bool_or(${sessions.asn} = ${client.asn}), false)`,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), lt(sessions.createdAt, now)));
  return {
    knownDevice: row?.knownDevice === true,
    knownCountry: client.country === null || row?.knownCountry === true,
    knownAsn: client.asn === null || row?.knownAsn === true,
  };
}
