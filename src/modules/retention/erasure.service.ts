// Erasure requests (GDPR art. 17) and legal holds: the young person asks, the data protection officer decides.
import { and, desc, eq, isNull, type SQL, sql } from 'drizzle-orm'
import type { DataCategory } from '../../config.js'
import { DATA_CATEGORIES } from '../../config.js'
import { lockYoungPerson } from '../../authz/data/young-persons.queries.js'
import type { RoleWork } from '../../authz/index.js'
import type { Queryable, Tx } from '../../db/client.js'
import { type ErasureGround, erasureRequests, legalHolds } from '../../db/schema/retention.js'
import { ConflictError, NotFoundError } from '../../errors.js'
import { afterCursor, type PageRequest } from '../../http/pagination.js'
import type { AuditSource } from '../audit/audit.writer.js'
import { eraseAndAudit } from './erase.js'
import { retentionBasis } from './retention.queries.js'
import { completesErasure } from './retention.rules.js'

export type ErasureRequestRow = typeof erasureRequests.$inferSelect
export type LegalHoldRow = typeof legalHolds.$inferSelect

export type Decision =
  | { decision: 'grant' }
  | { decision: 'refuse'; ground: ErasureGround; reason: string }
  | { decision: 'grant_in_part'; categories: DataCategory[]; ground: ErasureGround; reason: string }

/** The young person's own request; a second one while the first waits is a conflict. */
export async function requestErasure(q: Queryable, youngPersonId: string, categories: DataCategory[] | undefined): Promise<RoleWork<ErasureRequestRow>> {
  const person = await lockYoungPerson(q, youngPersonId)
  if (!person) throw new NotFoundError()
  if (person.erasedAt !== null) throw new ConflictError('Your record has already been erased')
  const [pending] = await q.select({ id: erasureRequests.id }).from(erasureRequests).where(and(eq(erasureRequests.youngPersonId, youngPersonId), eq(erasureRequests.status, 'pending')))
  if (pending) throw new ConflictError('You already have an erasure request waiting for a decision')
  const [row] = await q.insert(erasureRequests).values({ youngPersonId, categories: categories ?? null }).returning()
  return { value: row!, audit: [{ action: 'request_erasure', resourceType: 'ErasureRequest', resourceId: row!.id, youngPersonId, outcome: 'allowed' }] }
}

/** Decides a pending request; a grant (in full or in part) erases at once, in this transaction, after the decision's event. A legal hold refuses to grant. */
export async function decideErasure(q: Queryable, source: AuditSource, accountId: string, requestId: string, decision: Decision, now: Date): Promise<RoleWork<ErasureRequestRow>> {
  const [request] = await q.select().from(erasureRequests).where(eq(erasureRequests.id, requestId)).for('update')
  if (!request) throw new NotFoundError()
  if (request.status !== 'pending') throw new ConflictError(`The request was already decided (${request.status})`)
  const youngPersonId = request.youngPersonId
  await lockYoungPerson(q, youngPersonId)
  const basis = (await retentionBasis(q, youngPersonId, now))!
  let categories: DataCategory[] = []
  if (decision.decision !== 'refuse') {
    if (basis.legalHold) throw new ConflictError('A legal hold stops erasure for this young person; lift it first, or refuse with its ground')
    categories = decision.decision === 'grant' ? ((request.categories as DataCategory[] | null) ?? [...DATA_CATEGORIES]) : decision.categories
  }
  const status = decision.decision === 'grant' ? 'granted' : decision.decision === 'refuse' ? 'refused' : 'granted_in_part'
  const [row] = await q
    .update(erasureRequests)
    .set({
      status,
      decidedAt: now,
      decidedByAccountId: accountId,
      grantedCategories: decision.decision === 'grant_in_part' ? decision.categories : null,
      ground: decision.decision === 'grant' ? null : decision.ground,
      reason: decision.decision === 'grant' ? null : decision.reason,
    })
    .where(eq(erasureRequests.id, requestId))
    .returning()
  const audit = [{ action: `erasure_${status}`, resourceType: 'ErasureRequest', resourceId: requestId, youngPersonId, outcome: 'allowed' as const }]
  if (categories.length === 0 || basis.erasedAt !== null) return { value: row!, audit }
  const afterwards = async (tx: Tx) => {
    await eraseAndAudit(tx, source, youngPersonId, categories, completesErasure(basis, categories), now, 'erasure_request')
  }
  return { value: row!, audit, afterwards }
}

/** Which erasure requests a list shows: one young person's, or those in one status (all without it). */
export const erasureRequestsOf = (youngPersonId: string): SQL => eq(erasureRequests.youngPersonId, youngPersonId)
export const erasureRequestsInStatus = (status: ErasureRequestRow['status'] | undefined): SQL | undefined =>
  status ? eq(erasureRequests.status, status) : undefined

export function listErasureRequests(q: Queryable, where: SQL | undefined, page: PageRequest) {
  return q
    .select()
    .from(erasureRequests)
    .where(and(where, afterCursor(page, erasureRequests.requestedAt, erasureRequests.id, 'desc')))
    .orderBy(desc(erasureRequests.requestedAt), desc(erasureRequests.id))
    .limit(page.limit + 1)
}

export async function setLegalHold(q: Queryable, accountId: string, youngPersonId: string, reason: string): Promise<RoleWork<LegalHoldRow>> {
  if (!(await lockYoungPerson(q, youngPersonId))) throw new NotFoundError()
  const [row] = await q.insert(legalHolds).values({ youngPersonId, reason, setByAccountId: accountId }).returning()
  return { value: row!, audit: [{ action: 'set_legal_hold', resourceType: 'LegalHold', resourceId: row!.id, youngPersonId, outcome: 'allowed' }] }
}

export async function liftLegalHold(q: Queryable, accountId: string, holdId: string, reason: string): Promise<RoleWork<LegalHoldRow>> {
  const [row] = await q
    .update(legalHolds)
    .set({ liftedAt: sql`now()`, liftedByAccountId: accountId, liftReason: reason })
    .where(and(eq(legalHolds.id, holdId), isNull(legalHolds.liftedAt)))
    .returning()
  if (!row) {
    const [exists] = await q.select({ id: legalHolds.id }).from(legalHolds).where(eq(legalHolds.id, holdId))
    throw exists ? new ConflictError('The legal hold was already lifted') : new NotFoundError()
  }
  return { value: row, audit: [{ action: 'lift_legal_hold', resourceType: 'LegalHold', resourceId: row.id, youngPersonId: row.youngPersonId, outcome: 'allowed' }] }
}

export function listLegalHolds(q: Queryable, youngPersonId: string, page: PageRequest) {
  return q
    .select()
    .from(legalHolds)
    .where(and(eq(legalHolds.youngPersonId, youngPersonId), afterCursor(page, legalHolds.setAt, legalHolds.id, 'desc')))
    .orderBy(desc(legalHolds.setAt), desc(legalHolds.id))
    .limit(page.limit + 1)
}
