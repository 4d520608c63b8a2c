// SQL of referrals. Authorization conditions come from src/authz, never from here.
import { aliasedTable, and, desc, eq, type SQL, sql } from 'drizzle-orm'
import type { Principal } from '../../auth/principal.js'
import type { Queryable } from '../../db/client.js'
import { referrals } from '../../db/schema/pathway.js'
import { agencies, professionals } from '../../db/schema/registry.js'
import type { ReferralStatus } from '../../db/schema/vocabulary.js'
import { afterCursor, type PageRequest } from '../../http/pagination.js'

const referrer = aliasedTable(professionals, 'referrer')
const receiver = aliasedTable(agencies, 'receiver')

/** The status as of now: an open referral past its expiry is expired, whatever the stored status says. */
export const effectiveStatus = sql<ReferralStatus>`(case when ${referrals.status} in ('awaiting_consent', 'pending') and ${referrals.expiresAt} <= now() then 'expired' else ${referrals.status} end)`

const referralColumns = {
  id: referrals.id,
  youngPersonId: referrals.youngPersonId,
  fromProfessionalId: referrals.fromProfessionalId,
  fromName: referrer.displayName,
  fromAgencyId: referrer.agencyId,
  toAgencyId: referrals.toAgencyId,
  toAgencyName: receiver.name,
  toRole: referrals.toRole,
  /** The stored status, as permission rules see it (the effective one is `status`). */
  storedStatus: referrals.status,
  reason: referrals.reason,
  categories: referrals.categories,
  status: effectiveStatus,
  consentRequestId: referrals.consentRequestId,
  decisionReason: referrals.decisionReason,
  outcome: referrals.outcome,
  decidedByProfessionalId: referrals.decidedByProfessionalId,
  expiresAt: referrals.expiresAt,
  createdAt: referrals.createdAt,
  updatedAt: referrals.updatedAt,
}

function selectReferrals(q: Queryable) {
  return q
    .select(referralColumns)
    .from(referrals)
    .innerJoin(referrer, eq(referrer.id, referrals.fromProfessionalId))
    .innerJoin(receiver, eq(receiver.id, referrals.toAgencyId))
}

export type ReferralRow = Awaited<ReturnType<typeof selectReferralsTyped>>[number]
const selectReferralsTyped = (q: Queryable) => selectReferrals(q)

/** One referral; `lock` takes the row FOR UPDATE so concurrent decisions on it run one after the other. */
export async function findReferral(q: Queryable, id: string, lock = false): Promise<ReferralRow | undefined> {
  const query = selectReferrals(q).where(eq(referrals.id, id))
  const [row] = lock ? await query.for('update', { of: referrals }) : await query
  return row
}

export async function listReferrals(q: Queryable, where: SQL | undefined, page: PageRequest): Promise<ReferralRow[]> {
  return selectReferrals(q)
    .where(and(where, afterCursor(page, referrals.createdAt, referrals.id, 'desc')))
    .orderBy(desc(referrals.createdAt), desc(referrals.id))
    .limit(page.limit + 1)
}

/** `sent`: made by the caller; `received`: addressed to the caller's agency (and role, if it names one). */
export function sideOf(principal: Principal, side: 'sent' | 'received'): SQL {
  if (principal.kind === 'professional') {
    return side === 'sent'
      ? eq(referrals.fromProfessionalId, principal.professionalId)
      : sql`(${referrals.toAgencyId} = ${principal.agencyId} and (${referrals.toRole} is null or ${referrals.toRole} = ${principal.role}))`
  }
  if (principal.kind === 'partner' && side === 'received') {
    return sql`(${referrals.toAgencyId} = ${principal.agencyId} and ${referrals.toRole} is null)`
  }
  return sql`false`
}

export const statusIs = (status: ReferralStatus): SQL => sql`${effectiveStatus} = ${status}`
export const aboutYoungPerson = (youngPersonId: string): SQL => sql`${referrals.youngPersonId} = ${youngPersonId}`

export async function agencyName(q: Queryable, id: string): Promise<string | undefined> {
  const [row] = await q.select({ name: agencies.name }).from(agencies).where(eq(agencies.id, id))
  return row?.name
}

export interface NewReferral {
  youngPersonId: string
  fromProfessionalId: string
  toAgencyId: string
  toRole: string | null
  reason: string
  categories: string[]
  status: 'awaiting_consent' | 'pending'
  consentRequestId: string | null
  expiresAt: Date
}

export async function insertReferral(q: Queryable, r: NewReferral): Promise<ReferralRow> {
  const [row] = await q.insert(referrals).values(r).returning({ id: referrals.id })
  return (await findReferral(q, row!.id))!
}

export interface StatusChange {
  status: ReferralStatus
  decisionReason?: string
  outcome?: string
  decidedByProfessionalId?: string | null
}

export async function changeStatus(q: Queryable, id: string, change: StatusChange): Promise<ReferralRow> {
  await q
    .update(referrals)
    .set({ ...change, updatedAt: sql`now()`, version: sql`${referrals.version} + 1` })
    .where(eq(referrals.id, id))
  return (await findReferral(q, id))!
}
