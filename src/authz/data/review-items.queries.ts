// SQL of review items: the young person's questions about accesses, and the auditor's answers.
import { and, desc, eq, isNotNull, isNull, type SQL, sql } from 'drizzle-orm'
import type { Principal } from '../../auth/principal.js'
import type { AppAbility } from '../abilities.js'
import { accessibleWhere } from '../sql.js'
import type { Queryable } from '../../db/client.js'
import { auditEvents } from '../../db/schema/audit.js'
import { agencies } from '../../db/schema/registry.js'
import { reviewItems } from '../../db/schema/self-service.js'
import { afterCursor, type PageRequest } from '../../http/pagination.js'

/** One event of the young person's own access log (the ability's AuditEvent rule, their own accesses left out). */
export async function findAccessLogEvent(q: Queryable, ability: AppAbility, principal: Extract<Principal, { kind: 'young_person' }>, eventId: string) {
  const [row] = await q
    .select({
      id: auditEvents.id,
      occurredAt: auditEvents.occurredAt,
      actorAccountId: auditEvents.actorAccountId,
      actorKind: auditEvents.actorKind,
      actorRole: auditEvents.actorRole,
      actorName: auditEvents.actorName,
      actorAgencyId: auditEvents.actorAgencyId,
    })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.id, eventId),
        accessibleWhere(ability, principal, 'read', 'AuditEvent'),
        sql`${auditEvents.actorAccountId} is distinct from ${principal.accountId}`,
      ),
    )
  return row
}

export type NewReviewItem = typeof reviewItems.$inferInsert

export async function insertReviewItem(q: Queryable, item: NewReviewItem) {
  const [row] = await q.insert(reviewItems).values(item).returning({ id: reviewItems.id })
  return row!
}

const columns = {
  id: reviewItems.id,
  youngPersonId: reviewItems.youngPersonId,
  auditEventId: reviewItems.auditEventId,
  day: reviewItems.day,
  actorKind: reviewItems.actorKind,
  actorRole: reviewItems.actorRole,
  actorName: reviewItems.actorName,
  agencyName: agencies.name,
  question: reviewItems.question,
  answer: reviewItems.answer,
  answeredAt: reviewItems.answeredAt,
  createdAt: reviewItems.createdAt,
}

export type ReviewItemRow = Awaited<ReturnType<typeof listReviewItems>>[number]

export function listReviewItems(q: Queryable, where: SQL | undefined, page: PageRequest) {
  return q
    .select(columns)
    .from(reviewItems)
    .leftJoin(agencies, eq(agencies.id, reviewItems.actorAgencyId))
    .where(and(where, afterCursor(page, reviewItems.createdAt, reviewItems.id, 'desc')))
    .orderBy(desc(reviewItems.createdAt), desc(reviewItems.id))
    .limit(page.limit + 1)
}

export const byId = (id: string) => eq(reviewItems.id, id)
export const ofYoungPerson = (youngPersonId: string) => eq(reviewItems.youngPersonId, youngPersonId)
export const withStatus = (status: 'open' | 'answered' | undefined) =>
  status === 'open' ? isNull(reviewItems.answeredAt) : status === 'answered' ? isNotNull(reviewItems.answeredAt) : undefined

export async function lockReviewItem(q: Queryable, id: string) {
  const [row] = await q.select().from(reviewItems).where(eq(reviewItems.id, id)).for('update')
  return row
}

export async function answerReviewItem(q: Queryable, id: string, answer: string, accountId: string) {
  await q.update(reviewItems).set({ answer, answeredAt: new Date(), answeredByAccountId: accountId }).where(eq(reviewItems.id, id))
  const [row] = await listReviewItems(q, byId(id), { limit: 1, after: undefined })
  return row!
}
