// SQL of consents and consent requests. Authorization conditions come from src/authz, never from here.
import { aliasedTable, and, desc, eq, lt, type SQL, sql } from 'drizzle-orm'
import { type GranteeInput, granteeColumns } from '../grantee.js'
import type { Queryable } from '../../db/client.js'
import { referrals } from '../../db/schema/pathway.js'
import { agencies, professionals } from '../../db/schema/registry.js'
import { consentRequests, consents } from '../../db/schema/young-persons.js'
import { afterCursor, type PageRequest } from '../../http/pagination.js'

export type { GranteeInput } from '../grantee.js'

export interface NewConsent {
  youngPersonId: string
  grantee: GranteeInput
  categories: string[]
  actions: string[]
  purpose: string
  method: 'digital' | 'in_person'
  evidence: string | null
  grantedByAccountId: string
  validUntil: Date
}

const granteeProfessional = aliasedTable(professionals, 'grantee_professional')
const granteeAgency = aliasedTable(agencies, 'grantee_agency')
const granteeProfessionalAgency = aliasedTable(agencies, 'grantee_professional_agency')
/** The professional who recorded the consent in person, or who recorded its withdrawal; none when the young person did. */
const recorder = aliasedTable(professionals, 'recorder')
const recorderAgency = aliasedTable(agencies, 'recorder_agency')
const revoker = aliasedTable(professionals, 'revoker')
const revokerAgency = aliasedTable(agencies, 'revoker_agency')

const consentColumns = {
  id: consents.id,
  youngPersonId: consents.youngPersonId,
  granteeProfessionalId: consents.granteeProfessionalId,
  granteeAgencyId: consents.granteeAgencyId,
  granteeRole: consents.granteeRole,
  granteeName: sql<string>`coalesce(${granteeProfessional.displayName}, ${granteeAgency.name}, '')`,
  /** The grantee professional's own role and agency, for saying who they are; null for an agency grantee. */
  granteeProfessionalRole: granteeProfessional.role,
  granteeProfessionalAgencyName: granteeProfessionalAgency.name,
  categories: consents.categories,
  actions: consents.actions,
  purpose: consents.purpose,
  method: consents.method,
  evidence: consents.evidence,
  validFrom: consents.validFrom,
  validUntil: consents.validUntil,
  recorderProfessionalId: recorder.id,
  recorderName: recorder.displayName,
  recorderRole: recorder.role,
  recorderAgencyName: recorderAgency.name,
  revokedAt: consents.revokedAt,
  revokerProfessionalId: revoker.id,
  revokerName: revoker.displayName,
  revokerRole: revoker.role,
  revokerAgencyName: revokerAgency.name,
  supersededAt: consents.supersededAt,
  supersededById: consents.supersededById,
  createdAt: consents.createdAt,
}

export type ConsentRow = Awaited<ReturnType<typeof selectConsentsTyped>>[number]
const selectConsentsTyped = (q: Queryable) => selectConsents(q)

function selectConsents(q: Queryable) {
  return q
    .select(consentColumns)
    .from(consents)
    .leftJoin(granteeProfessional, eq(granteeProfessional.id, consents.granteeProfessionalId))
    .leftJoin(granteeAgency, eq(granteeAgency.id, consents.granteeAgencyId))
    .leftJoin(granteeProfessionalAgency, eq(granteeProfessionalAgency.id, granteeProfessional.agencyId))
    .leftJoin(recorder, eq(recorder.accountId, consents.grantedByAccountId))
    .leftJoin(recorderAgency, eq(recorderAgency.id, recorder.agencyId))
    .leftJoin(revoker, eq(revoker.accountId, consents.revokedByAccountId))
    .leftJoin(revokerAgency, eq(revokerAgency.id, revoker.agencyId))
}

export async function insertConsent(q: Queryable, c: NewConsent): Promise<ConsentRow> {
  const [row] = await q
    .insert(consents)
    .values({
      youngPersonId: c.youngPersonId,
      ...granteeColumns(c.grantee),
      categories: c.categories,
      actions: c.actions,
      purpose: c.purpose,
      method: c.method,
      evidence: c.evidence,
      grantedByAccountId: c.grantedByAccountId,
      validUntil: c.validUntil,
    })
    .returning({ id: consents.id })
  return (await findConsent(q, row!.id))!
}

export async function findConsent(q: Queryable, id: string): Promise<ConsentRow | undefined> {
  const [row] = await selectConsents(q).where(eq(consents.id, id))
  return row
}

/** Locks the consent row for update: two revocations or supersessions of one consent run one after the other; readers take no lock. */
export async function lockConsent(q: Queryable, id: string): Promise<ConsentRow | undefined> {
  const [row] = await selectConsents(q).where(eq(consents.id, id)).for('update', { of: consents })
  return row
}

/**
 * `lockConsent` as SQL for a statement of its own (the withdrawal's): the row locked for update, and
 * its columns in the select list's order, named as `ConsentRow` names them.
 */
export function lockedConsentQuery(q: Queryable, id: string): { columns: (keyof ConsentRow)[]; query: SQL } {
  return { columns: Object.keys(consentColumns) as (keyof ConsentRow)[], query: selectConsents(q).where(eq(consents.id, id)).for('update', { of: consents }).getSQL() }
}

export async function markSuperseded(q: Queryable, id: string, byId: string) {
  await q.update(consents).set({ supersededAt: sql`now()`, supersededById: byId }).where(eq(consents.id, id))
}

/** The consents about one young person (the rules narrow them further). */
export const consentsOf = (youngPersonId: string): SQL => eq(consents.youngPersonId, youngPersonId)

export async function listConsents(q: Queryable, where: SQL | undefined, page: PageRequest): Promise<ConsentRow[]> {
  return selectConsents(q)
    .where(and(where, afterCursor(page, consents.createdAt, consents.id, 'desc')))
    .orderBy(desc(consents.createdAt), desc(consents.id))
    .limit(page.limit + 1)
}

export async function professionalExists(q: Queryable, id: string) {
  const [row] = await q.select({ id: professionals.id }).from(professionals).where(eq(professionals.id, id))
  return row !== undefined
}

export async function agencyExists(q: Queryable, id: string) {
  const [row] = await q.select({ id: agencies.id }).from(agencies).where(eq(agencies.id, id))
  return row !== undefined
}

const requestColumns = {
  id: consentRequests.id,
  youngPersonId: consentRequests.youngPersonId,
  requestedByProfessionalId: consentRequests.requestedByProfessionalId,
  requestedByName: sql<string>`(select p.display_name from ${professionals} p where p.id = ${consentRequests.requestedByProfessionalId})`,
  granteeProfessionalId: consentRequests.granteeProfessionalId,
  granteeAgencyId: consentRequests.granteeAgencyId,
  granteeRole: consentRequests.granteeRole,
  granteeName: sql<string>`coalesce(${granteeProfessional.displayName}, ${granteeAgency.name}, '')`,
  categories: consentRequests.categories,
  actions: consentRequests.actions,
  purpose: consentRequests.purpose,
  status: consentRequests.status,
  expiresAt: consentRequests.expiresAt,
  decidedAt: consentRequests.decidedAt,
  consentId: consentRequests.consentId,
  createdAt: consentRequests.createdAt,
}

function selectRequests(q: Queryable) {
  return q
    .select(requestColumns)
    .from(consentRequests)
    .leftJoin(granteeProfessional, eq(granteeProfessional.id, consentRequests.granteeProfessionalId))
    .leftJoin(granteeAgency, eq(granteeAgency.id, consentRequests.granteeAgencyId))
}

export type ConsentRequestRow = Awaited<ReturnType<typeof selectRequestsTyped>>[number]
const selectRequestsTyped = (q: Queryable) => selectRequests(q)

export async function insertConsentRequest(
  q: Queryable,
  r: { youngPersonId: string; requestedByProfessionalId: string; grantee: GranteeInput; categories: string[]; actions: string[]; purpose: string; expiresAt: Date },
) {
  const [row] = await q
    .insert(consentRequests)
    .values({
      youngPersonId: r.youngPersonId,
      requestedByProfessionalId: r.requestedByProfessionalId,
      ...granteeColumns(r.grantee),
      categories: r.categories,
      actions: r.actions,
      purpose: r.purpose,
      expiresAt: r.expiresAt,
    })
    .returning({ id: consentRequests.id })
  return (await findConsentRequest(q, row!.id))!
}

export async function findConsentRequest(q: Queryable, id: string, lock = false): Promise<ConsentRequestRow | undefined> {
  const query = selectRequests(q).where(eq(consentRequests.id, id))
  const [row] = lock ? await query.for('update', { of: consentRequests }) : await query
  return row
}

export async function listConsentRequests(q: Queryable, where: SQL | undefined, page: PageRequest) {
  return selectRequests(q)
    .where(and(where, afterCursor(page, consentRequests.createdAt, consentRequests.id, 'desc')))
    .orderBy(desc(consentRequests.createdAt), desc(consentRequests.id))
    .limit(page.limit + 1)
}

export async function decideConsentRequest(q: Queryable, id: string, status: 'approved' | 'declined', consentId: string | null) {
  await q.update(consentRequests).set({ status, decidedAt: sql`now()`, consentId }).where(eq(consentRequests.id, id))
}

/** Referrals that waited for this request's consent become pending for the receiver. */
export async function releaseReferralsAwaiting(q: Queryable, consentRequestId: string) {
  return q
    .update(referrals)
    .set({ status: 'pending', updatedAt: sql`now()`, version: sql`${referrals.version} + 1` })
    .where(and(eq(referrals.consentRequestId, consentRequestId), eq(referrals.status, 'awaiting_consent')))
    .returning({ id: referrals.id, toAgencyId: referrals.toAgencyId })
}

export const requestExpired = (now: SQL = sql`now()`) => lt(consentRequests.expiresAt, now)
