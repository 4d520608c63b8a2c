// The webhook outbox: events are written in the transaction of the change they announce.
import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { consents } from '../../db/schema/young-persons.js'

export const WEBHOOK_EVENT_TYPES = [
  'consent.granted',
  'consent.revoked',
  'consent.expired',
  'referral.created',
  'referral.accepted',
  'referral.declined',
  'referral.completed',
  'pathway.closed',
  'pathway.reopened',
  // Sent to every endpoint that was sent any event about the young person, subscribed or not.
  'personal_data.erased',
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

export type ConsentEventType = Extract<WebhookEventType, `consent.${string}`>

/**
 * Announces a consent to the partner systems that hold it: those of the grantee agency when the
 * consent is for the whole agency (the only consents a partner token acts under). A consent for
 * one professional or one role tells partners nothing they may use, so none is queued.
 */
export async function enqueueConsentEvent(q: Queryable, type: ConsentEventType, consentId: string, facts: WebhookEventData = {}): Promise<string | null> {
  const [row] = await q
    .select({
      agencyId: sql<string | null>`case when ${consents.granteeRole} is null then ${consents.granteeAgencyId} end`,
      youngPersonId: consents.youngPersonId,
      categories: consents.categories,
      actions: consents.actions,
      validUntil: consents.validUntil,
    })
    .from(consents)
    .where(eq(consents.id, consentId))
  if (!row?.agencyId) return null
  return enqueueEvent(q, type, [row.agencyId], {
    consentId,
    youngPersonId: row.youngPersonId,
    agencyId: row.agencyId,
    categories: row.categories,
    actions: row.actions,
    validUntil: row.validUntil.toISOString(),
    ...facts,
  })
}
