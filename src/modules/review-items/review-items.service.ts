// "Question this": a young person asks about one person's accesses on one day; an auditor answers.
import type { FastifyRequest } from 'fastify'
import type { Principal } from '../../auth/principal.js'
import { abilityFor } from '../../authz/index.js'
import type { Tx } from '../../db/client.js'
import { ConflictError, NotFoundError } from '../../errors.js'
import { recordAudit } from '../audit/audit.writer.js'
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

/** Opens a review item from an event of the young person's own access log; any other event is a 404. */
export async function questionAccess(tx: Tx, request: FastifyRequest, principal: Extract<Principal, { kind: 'young_person' }>, auditEventId: string, question: string) {
  const event = await queries.findAccessLogEvent(tx, abilityFor(principal), principal, auditEventId)
  if (!event) {
    await recordAudit(tx, request, [{ action: 'question', resourceType: 'AuditEvent', resourceId: auditEventId, youngPersonId: principal.youngPersonId, outcome: 'denied' }])
    return null
  }
  const { id } = await queries.insertReviewItem(tx, {
    youngPersonId: principal.youngPersonId,
    auditEventId,
    day: dayOf(event.occurredAt),
    actorKind: event.actorKind,
    actorRole: event.actorRole,
    actorName: event.actorName,
    actorAgencyId: event.actorAgencyId,
    question: question.trim(),
  })
  await recordAudit(tx, request, [{ action: 'question', resourceType: 'ReviewItem', resourceId: id, youngPersonId: principal.youngPersonId, outcome: 'allowed' }])
  const [row] = await queries.listReviewItems(tx, queries.byId(id), { limit: 1, after: undefined })
  return presentReviewItem(row!)
}

/** The auditor's answer; once given it stands (a second answer is a conflict). */
export async function answerQuestion(tx: Tx, request: FastifyRequest, accountId: string, id: string, answer: string) {
  const item = await queries.lockReviewItem(tx, id)
  if (!item) throw new NotFoundError()
  if (item.answeredAt) throw new ConflictError('This question has already been answered')
  const row = await queries.answerReviewItem(tx, id, answer.trim(), accountId)
  await recordAudit(tx, request, [{ action: 'answer', resourceType: 'ReviewItem', resourceId: id, youngPersonId: item.youngPersonId, outcome: 'allowed' }])
  return presentReviewItem(row)
}
