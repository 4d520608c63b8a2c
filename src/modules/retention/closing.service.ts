// Closing and reopening a pathway: the state change and its partner event, in the door's transaction; the door writes the audit event.
import type { Principal } from '../../auth/principal.js'
import { mayReopen, type PersonScope } from '../../authz/index.js'
import type { Queryable } from '../../db/client.js'
import { ConflictError } from '../../errors.js'
import type { AuditInput } from '../audit/audit.writer.js'
import { consentIdsFor } from '../pathway/access.js'
import { closePathwayRow, findPathway, pathwayPartnerAgencies, reopenPathwayRow } from '../../authz/data/pathway.queries.js'
import { enqueueEvent } from '../webhooks/outbox.js'
import type { CLOSE_REASONS } from './retention.schemas.js'

export type CloseReason = (typeof CLOSE_REASONS)[number]

const stateEvent = (action: 'close' | 'reopen', scope: PersonScope, youngPersonId: string, pathwayId: string): AuditInput => ({
  action,
  resourceType: 'Pathway',
  resourceId: pathwayId,
  youngPersonId,
  category: 'pathway',
  consentIds: consentIdsFor(scope, 'write', ['pathway']),
  outcome: 'allowed',
})

/** Closes the pathway; the audit event the door writes for it. */
export async function closePathway(q: Queryable, scope: PersonScope, youngPersonId: string, reason: CloseReason): Promise<AuditInput> {
  const existing = await findPathway(q, youngPersonId)
  if (existing?.status === 'closed') throw new ConflictError('The pathway is already closed')
  const row = await closePathwayRow(q, youngPersonId, reason)
  const agencies = await pathwayPartnerAgencies(q, youngPersonId)
  await enqueueEvent(q, 'pathway.closed', agencies, { youngPersonId, reason, closedAt: new Date(row.closed_at).toISOString() })
  return stateEvent('close', scope, youngPersonId, row.id)
}

/** Reopens the pathway; null when the caller may not (`mayReopen`), else the audit event the door writes for it. */
export async function reopenPathway(q: Queryable, principal: Principal, scope: PersonScope, youngPersonId: string): Promise<AuditInput | null> {
  const existing = await findPathway(q, youngPersonId)
  if (existing?.status !== 'closed' || !existing.closedAt) throw new ConflictError('The pathway is not closed')
  if (!(await mayReopen(q, principal, youngPersonId, existing.closedAt))) return null
  await reopenPathwayRow(q, existing.id)
  const agencies = await pathwayPartnerAgencies(q, youngPersonId)
  await enqueueEvent(q, 'pathway.reopened', agencies, { youngPersonId })
  return stateEvent('reopen', scope, youngPersonId, existing.id)
}
