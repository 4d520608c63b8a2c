// The webhook outbox: events are written in the transaction of the change they announce.
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'

export const WEBHOOK_EVENT_TYPES = [
  'consent.granted',
  'consent.revoked',
  'consent.expired',
  'referral.created',
  'referral.accepted',
  'referral.declined',
  'referral.completed',
] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

/** Ids and event facts only: never note bodies, identity fields or special-category content. */
export type WebhookEventData = Record<string, string | string[] | null>

/**
 * Queues one delivery per active endpoint subscribed to `type` whose partner client acts for one
 * of `agencyIds`. Rolled back with the change if the transaction fails; sent later by the worker.
 */
export async function enqueueEvent(q: Queryable, type: WebhookEventType, agencyIds: string[], data: WebhookEventData): Promise<string> {
  const eventId = randomUUID()
  const agencies = [...new Set(agencyIds.filter(Boolean))]
  if (agencies.length === 0) return eventId
  const payload = JSON.stringify({ id: eventId, type, createdAt: new Date().toISOString(), data })
  await q.execute(sql`
    insert into webhook_deliveries (event_id, endpoint_id, event_type, payload)
    select ${eventId}::uuid, e.id, ${type}, ${payload}::jsonb
    from webhook_endpoints e
    join partner_clients pc on pc.id = e.partner_client_id
    where e.active and pc.active and pc.agency_id = any(${`{${agencies.join(',')}}`}::uuid[]) and ${type} = any(e.events)`)
  return eventId
}
