// Closing and reopening a pathway: the state change, its audit event and its partner event, in the caller's transaction.
import { sql } from 'drizzle-orm'
import type { Principal } from '../../auth/principal.js'
import { activeConsent, heldBy, type PersonScope } from '../../authz/index.js'
import { type Queryable, queryRows } from '../../db/client.js'
import { ConflictError } from '../../errors.js'
import { type AuditSource, recordAudit } from '../audit/audit.writer.js'
import { consentIdsFor } from '../pathway/access.js'
import { findPathway } from '../../authz/data/pathway.queries.js'
import { enqueueEvent } from '../webhooks/outbox.js'
import type { CLOSE_REASONS } from './retention.schemas.js'

export type CloseReason = (typeof CLOSE_REASONS)[number]

/** Partner systems acting for an agency that holds an agency-wide `pathway` consent: those told about the pathway. */
async function pathwayPartnerAgencies(q: Queryable, youngPersonId: string): Promise<string[]> {
  const rows = await queryRows<{ agency_id: string }>(
    q,
    sql`select distinct grantee_agency_id as agency_id from consents
      where young_person_id = ${youngPersonId} and grantee_agency_id is not null and grantee_role is null and 'pathway' = any(categories) and ${activeConsent}`,
  )
  return rows.map((r) => r.agency_id)
}

export async function closePathway(q: Queryable, source: AuditSource, scope: PersonScope, youngPersonId: string, reason: CloseReason): Promise<true> {
  const existing = await findPathway(q, youngPersonId)
  if (existing?.status === 'closed') throw new ConflictError('The pathway is already closed')
  const [row] = await queryRows<{ id: string; closed_at: string }>(
    q,
    sql`insert into pathways (young_person_id, status, closed_at, close_reason) values (${youngPersonId}, 'closed', now(), ${reason})
      on conflict (young_person_id) do update set status = 'closed', closed_at = now(), close_reason = excluded.close_reason, version = pathways.version + 1, updated_at = now()
      returning id, closed_at`,
  )
  const agencies = await pathwayPartnerAgencies(q, youngPersonId)
  await enqueueEvent(q, 'pathway.closed', agencies, { youngPersonId, reason, closedAt: new Date(row!.closed_at).toISOString() })
  await recordAudit(q, source, [
    { action: 'close', resourceType: 'Pathway', resourceId: row!.id, youngPersonId, category: 'pathway', consentIds: consentIdsFor(scope, 'write', ['pathway']), outcome: 'allowed' },
  ])
  return true
}

/** A professional reopens only under a `pathway` write consent given after the closing: the young person's new consent. */
async function consentSinceClosing(q: Queryable, principal: Principal, youngPersonId: string, closedAt: Date): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(
    q,
    sql`select id from consents where young_person_id = ${youngPersonId} and ${heldBy(principal)} and ${activeConsent}
      and 'pathway' = any(categories) and 'write' = any(actions) and created_at > ${closedAt.toISOString()}::timestamptz limit 1`,
  )
  return rows.length > 0
}

/** Returns false when the caller may not reopen (no new consent since the closing). */
export async function reopenPathway(q: Queryable, source: AuditSource & { principal: Principal }, scope: PersonScope, youngPersonId: string): Promise<boolean> {
  const existing = await findPathway(q, youngPersonId)
  if (existing?.status !== 'closed' || !existing.closedAt) throw new ConflictError('The pathway is not closed')
  if (source.principal.kind !== 'young_person' && !(await consentSinceClosing(q, source.principal, youngPersonId, existing.closedAt))) return false
  await q.execute(
    sql`update pathways set status = 'active', closed_at = null, close_reason = null, version = version + 1, updated_at = now() where id = ${existing.id}`,
  )
  const agencies = await pathwayPartnerAgencies(q, youngPersonId)
  await enqueueEvent(q, 'pathway.reopened', agencies, { youngPersonId })
  await recordAudit(q, source, [
    { action: 'reopen', resourceType: 'Pathway', resourceId: existing.id, youngPersonId, category: 'pathway', consentIds: consentIdsFor(scope, 'write', ['pathway']), outcome: 'allowed' },
  ])
  return true
}
