// The delivery log of personal_data.erased: per partner endpoint, acknowledged (2xx) or not.
import { sql } from 'drizzle-orm'
import { type Queryable, queryRows } from '../../db/client.js'
import type { PageRequest } from '../../http/pagination.js'

export interface NoticeRow {
  id: string
  event_id: string
  young_person_id: string
  partner_client_id: string
  endpoint_id: string
  status: 'pending' | 'delivered' | 'dead'
  attempts: number
  created_at: string | Date
  delivered_at: string | Date | null
}

export function listErasureNotices(q: Queryable, unacknowledged: boolean, page: PageRequest) {
  const after = page.after ? sql`and (d.created_at, d.id) < (${page.after.at}::timestamptz, ${page.after.id}::uuid)` : sql``
  return queryRows<NoticeRow>(
    q,
    sql`select d.id, d.event_id, d.payload -> 'data' ->> 'youngPersonId' as young_person_id, e.partner_client_id, d.endpoint_id, d.status, d.attempts, d.created_at, d.delivered_at
      from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
      where d.event_type = 'personal_data.erased' ${unacknowledged ? sql`and d.status <> 'delivered'` : sql``} ${after}
      order by d.created_at desc, d.id desc
      limit ${page.limit + 1}`,
  )
}

export function presentNotice(row: NoticeRow) {
  return {
    eventId: row.event_id,
    youngPersonId: row.young_person_id,
    partnerClientId: row.partner_client_id,
    endpointId: row.endpoint_id,
    status: row.status,
    attempts: Number(row.attempts),
    createdAt: new Date(row.created_at),
    acknowledgedAt: row.delivered_at === null ? null : new Date(row.delivered_at),
  }
}
