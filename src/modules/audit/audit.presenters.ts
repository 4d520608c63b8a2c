// The young person's view of one audit event: who, when, what, under which consent; never content.
import type { listAccessLog } from '../../authz/data/audit.queries.js'

type AccessLogRow = Awaited<ReturnType<typeof listAccessLog>>[number]

export function presentAccessLogEntry(row: AccessLogRow) {
  return {
    id: row.id,
    occurredAt: row.occurredAt,
    actor: { kind: row.actorKind, role: row.actorRole, agencyName: row.agencyName, name: row.actorName },
    action: row.action,
    category: row.category,
    resourceType: row.resourceType,
    consentIds: row.consentIds,
    outcome: row.outcome,
  }
}
