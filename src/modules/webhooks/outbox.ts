// The webhook outbox: events are written in the transaction of the change they announce.
import { randomUUID } from 'node:crypto'
import { type SQL, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'

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
  const insert = deliveriesInsert(eventId, type, agencyIds, data)
  if (insert !== null) await q.execute(insert)
  return eventId
}

/** The insert that queues the deliveries of one event, to run alone or inside a change's own statement; null when no agency may hear of it. */
function deliveriesInsert(eventId: string, type: WebhookEventType, agencyIds: string[], data: WebhookEventData): SQL | null {
  const agencies = [...new Set(agencyIds.filter(Boolean))]
  if (agencies.length === 0) return null
  const payload = JSON.stringify({ id: eventId, type, createdAt: new Date().toISOString(), data })
  return sql`
    insert into webhook_deliveries (event_id, endpoint_id, event_type, payload)
    select ${eventId}::uuid, e.id, ${type}, ${payload}::jsonb
    from ${subscribed(type)}
    where pc.agency_id = any(${`{${agencies.join(',')}}`}::uuid[])`
}

/** The active endpoints of active partner clients subscribed to `type` (`e`), with their client (`pc`, whose agency decides who may hear). */
function subscribed(type: WebhookEventType): SQL {
  return sql`(webhook_endpoints e join partner_clients pc on pc.id = e.partner_client_id and e.active and pc.active and ${type} = any(e.events))`
}

export type ConsentEventType = Extract<WebhookEventType, `consent.${string}`>

/** What a consent event says about the consent. */
export interface AnnouncedConsent {
  id: string
  youngPersonId: string
  granteeAgencyId: string | null
  granteeRole: string | null
  categories: string[]
  actions: string[]
  validUntil: Date
}

/**
 * Announces a consent to the partner systems that hold it: those of the grantee agency when the
 * consent is for the whole agency (the only consents a partner token acts under). A consent for
 * one professional or one role tells partners nothing they may use, so none is queued.
 */
export async function enqueueConsentEvent(q: Queryable, type: ConsentEventType, consent: AnnouncedConsent, facts: WebhookEventData = {}): Promise<string | null> {
  const event = consentEventInsert(type, consent, facts)
  if (event === null) return null
  await q.execute(event.insert)
  return event.eventId
}

/**
 * `enqueueConsentEvent` as an insert to run inside the statement of the change it announces; null
 * when no partner holds the consent.
 */
function consentEventInsert(type: ConsentEventType, consent: AnnouncedConsent, facts: WebhookEventData = {}): { eventId: string; insert: SQL } | null {
  const agencyId = consent.granteeRole === null ? consent.granteeAgencyId : null
  if (!agencyId) return null
  const eventId = randomUUID()
  const insert = deliveriesInsert(eventId, type, [agencyId], {
    consentId: consent.id,
    youngPersonId: consent.youngPersonId,
    agencyId,
    categories: consent.categories,
    actions: consent.actions,
    validUntil: consent.validUntil.toISOString(),
    ...facts,
  })
  return insert === null ? null : { eventId, insert }
}

/**
 * `consentEventInsert` for a consent changed by the same statement: `from` yields its columns (`id`,
 * `young_person_id`, `grantee_agency_id`, `grantee_role`, `categories`, `actions`, `valid_until`) only
 * when the change happened, and the payload is assembled in SQL as `consentEventInsert` writes it.
 */
export function consentEventInsertFrom(type: ConsentEventType, from: SQL, facts: Record<string, string> = {}): SQL {
  const eventId = randomUUID()
  const extra = Object.entries(facts).map(([key, value]) => sql`, ${key}::text, ${value}::text`)
  return sql`
    insert into webhook_deliveries (event_id, endpoint_id, event_type, payload)
    select ${eventId}::uuid, e.id, ${type}, jsonb_build_object('id', ${eventId}::text, 'type', ${type}::text, 'createdAt', ${new Date().toISOString()}::text, 'data', jsonb_build_object(
      'consentId', c.id, 'youngPersonId', c.young_person_id, 'agencyId', c.grantee_agency_id, 'categories', to_jsonb(c.categories), 'actions', to_jsonb(c.actions),
      'validUntil', to_char(c.valid_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')${sql.join(extra)}))
    from ${from} as c join ${subscribed(type)} on pc.agency_id = c.grantee_agency_id
    where c.grantee_role is null`
}
