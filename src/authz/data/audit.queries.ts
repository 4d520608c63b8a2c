// SQL of the audit views: the auditor's event list and the young person's access log.
import { and, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm'
import type { Principal } from '../../auth/principal.js'
import type { AppAbility } from '../abilities.js'
import { accessibleWhere } from '../sql.js'
import type { Queryable } from '../../db/client.js'
import { auditEvents } from '../../db/schema/audit.js'
import { agencies, partnerClients } from '../../db/schema/registry.js'
import { afterCursor, type PageRequest } from '../../http/pagination.js'

export interface AuditEventFilter {
  actorAccountId?: string
  youngPersonId?: string
  from?: string
  to?: string
}

/** The columns an auditor sees: every column of the table, none of which holds content or identity. */
export const auditMetadataColumns = {
  id: auditEvents.id,
  chain: auditEvents.chain,
  seq: auditEvents.seq,
  occurredAt: auditEvents.occurredAt,
  actorAccountId: auditEvents.actorAccountId,
  actorKind: auditEvents.actorKind,
  actorRole: auditEvents.actorRole,
  actorAgencyId: auditEvents.actorAgencyId,
  actorName: auditEvents.actorName,
  action: auditEvents.action,
  resourceType: auditEvents.resourceType,
  resourceId: auditEvents.resourceId,
  youngPersonId: auditEvents.youngPersonId,
  category: auditEvents.category,
  consentIds: auditEvents.consentIds,
  outcome: auditEvents.outcome,
  requestId: auditEvents.requestId,
  hash: auditEvents.hash,
}

export function listAuditEvents(q: Queryable, filter: AuditEventFilter, page: PageRequest) {
  const conditions: (SQL | undefined)[] = [
    filter.actorAccountId === undefined ? undefined : eq(auditEvents.actorAccountId, filter.actorAccountId),
    filter.youngPersonId === undefined ? undefined : eq(auditEvents.youngPersonId, filter.youngPersonId),
    filter.from === undefined ? undefined : gte(auditEvents.occurredAt, new Date(filter.from)),
    filter.to === undefined ? undefined : lt(auditEvents.occurredAt, new Date(filter.to)),
    afterCursor(page, auditEvents.occurredAt, auditEvents.id, 'desc'),
  ]
  return q
    .select(auditMetadataColumns)
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
    .limit(page.limit + 1)
}

/**
 * Accesses to the caller's own data by anyone else, newest first. Which events are theirs is the
 * ability's `AuditEvent` rule rendered as SQL; their own accesses are left out.
 */
export function listAccessLog(q: Queryable, ability: AppAbility, principal: Extract<Principal, { kind: 'young_person' }>, page: PageRequest, showNames: boolean) {
  const name = showNames ? sql<string | null>`coalesce(${partnerClients.name}, ${auditEvents.actorName})` : sql<string | null>`null`
  return q
    .select({
      id: auditEvents.id,
      occurredAt: auditEvents.occurredAt,
      actorKind: auditEvents.actorKind,
      actorRole: auditEvents.actorRole,
      agencyName: agencies.name,
      actorName: name,
      action: auditEvents.action,
      category: auditEvents.category,
      resourceType: auditEvents.resourceType,
      consentIds: auditEvents.consentIds,
      outcome: auditEvents.outcome,
    })
    .from(auditEvents)
    .leftJoin(agencies, eq(agencies.id, auditEvents.actorAgencyId))
    .leftJoin(partnerClients, and(eq(auditEvents.actorKind, 'partner'), eq(partnerClients.id, auditEvents.actorAccountId)))
    .where(
      and(
        accessibleWhere(ability, principal, 'read', 'AuditEvent'),
        sql`${auditEvents.actorAccountId} is distinct from ${principal.accountId}`,
        afterCursor(page, auditEvents.occurredAt, auditEvents.id, 'desc'),
      ),
    )
    .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
    .limit(page.limit + 1)
}
