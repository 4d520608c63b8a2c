// "Question this": a young person asks about one person's accesses on one day; an auditor answers.
import type { FastifyRequest } from 'fastify'
import { principalId } from '../../auth/principal.js'
import { abilityFor, withRole, withYoungPerson, type YoungPersonPrincipal } from '../../authz/index.js'
import type { Database } from '../../db/client.js'
import { ConflictError, NotFoundError } from '../../errors.js'
import * as queries from '../../authz/data/review-items.queries.js'

/** Access-log days are the young person's days: Finnish time. */
export const LOG_TIME_ZONE = 'Europe/Helsinki'

export function dayOf(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: LOG_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
}

export function presentReviewItem(row: queries.ReviewItemRow) {
  return {
    id: row.id,
    auditEventId: row.auditEventId,
    day: row.day,
    actor: { kind: row.actorKind, role: row.actorRole, name: row.actorName, agencyName: row.agencyName },
    question: row.question,
    answer: row.answer,
    answeredAt: row.answeredAt,
    createdAt: row.createdAt,
  }
}

/** Opens a review item from an event of the young person's own access log, through the door; any other event is a 404 (audited). */
export function questionAccess(database: Database, request: FastifyRequest, principal: YoungPersonPrincipal, auditEventId: string, question: string) {
  const youngPersonId = principal.youngPersonId
  const access = { action: 'read', subject: 'YoungPerson', audit: { action: 'question', resourceType: 'AuditEvent', resourceId: auditEventId } } as const
  return withYoungPerson(database, request, youngPersonId, access, async ({ tx }) => {
    const event = await queries.findAccessLogEvent(tx, abilityFor(principal), principal, auditEventId)
    if (!event) return 'not_found'
    const { id } = await queries.insertReviewItem(tx, {
      youngPersonId,
      auditEventId,
      day: dayOf(event.occurredAt),
      actorKind: event.actorKind,
      actorRole: event.actorRole,
      actorName: event.actorName,
      actorAgencyId: event.actorAgencyId,
      question: question.trim(),
    })
    const [row] = await queries.listReviewItems(tx, queries.byId(id), { limit: 1, after: undefined })
    return { value: presentReviewItem(row!), audit: [{ action: 'question', resourceType: 'ReviewItem', resourceId: id, youngPersonId, outcome: 'allowed' as const }] }
  })
}

/** The auditor's answer; once given it stands (a second answer is a conflict). */
export function answerQuestion(database: Database, request: FastifyRequest, id: string, answer: string) {
  return withRole(database, request, 'read', 'AuditLog', async (tx) => {
    const item = await queries.lockReviewItem(tx, id)
    if (!item) throw new NotFoundError()
    if (item.answeredAt) throw new ConflictError('This question has already been answered')
    const row = await queries.answerReviewItem(tx, id, answer.trim(), principalId(request.principal))
    return { value: presentReviewItem(row), audit: [{ action: 'answer', resourceType: 'ReviewItem', resourceId: id, youngPersonId: item.youngPersonId, outcome: 'allowed' as const }] }
  })
}
