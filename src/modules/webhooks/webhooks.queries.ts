// SQL of webhook endpoints and their delivery log; every query is bounded to the calling partner client.
import { and, asc, desc, eq, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { webhookDeliveries, webhookEndpoints } from '../../db/schema/integration.js'
import { afterCursor, type PageRequest } from '../../http/pagination.js'
import type { WebhookEventType } from './outbox.js'

const endpointColumns = {
  id: webhookEndpoints.id,
  url: webhookEndpoints.url,
  events: sql`${webhookEndpoints.events}`.mapWith((value) => webhookEndpoints.events.mapFromDriverValue(value) as WebhookEventType[]),
  createdAt: webhookEndpoints.createdAt,
}

const deliveryColumns = {
  id: webhookDeliveries.id,
  eventId: webhookDeliveries.eventId,
  eventType: sql<WebhookEventType>`${webhookDeliveries.eventType}`,
  status: webhookDeliveries.status,
  attempts: webhookDeliveries.attempts,
  lastStatusCode: webhookDeliveries.lastStatusCode,
  lastError: webhookDeliveries.lastError,
  nextAttemptAt: webhookDeliveries.nextAttemptAt,
  deliveredAt: webhookDeliveries.deliveredAt,
  createdAt: webhookDeliveries.createdAt,
}
export type DeliveryRow = Omit<typeof webhookDeliveries.$inferSelect, 'endpointId' | 'payload' | 'eventType'> & { eventType: WebhookEventType }

const ownedBy = (partnerClientId: string) => and(eq(webhookEndpoints.partnerClientId, partnerClientId), eq(webhookEndpoints.active, true))

export async function insertEndpoint(q: Queryable, input: { partnerClientId: string; url: string; events: string[]; secret: string }) {
  const [row] = await q.insert(webhookEndpoints).values(input).returning(endpointColumns)
  return row!
}

export async function listEndpoints(q: Queryable, partnerClientId: string, page: PageRequest) {
  return q
    .select(endpointColumns)
    .from(webhookEndpoints)
    .where(and(ownedBy(partnerClientId), afterCursor(page, webhookEndpoints.createdAt, webhookEndpoints.id, 'asc')))
    .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id))
    .limit(page.limit + 1)
}

export async function findEndpoint(q: Queryable, partnerClientId: string, id: string) {
  const [row] = await q.select(endpointColumns).from(webhookEndpoints).where(and(ownedBy(partnerClientId), eq(webhookEndpoints.id, id)))
  return row
}

/** Deleting keeps the row (deliveries refer to it) but stops it: nothing pending is sent any more. */
export async function deactivateEndpoint(q: Queryable, partnerClientId: string, id: string): Promise<boolean> {
  const stopped = await q
    .update(webhookEndpoints)
    .set({ active: false })
    .where(and(ownedBy(partnerClientId), eq(webhookEndpoints.id, id)))
    .returning({ id: webhookEndpoints.id })
  if (stopped.length === 0) return false
  await q
    .update(webhookDeliveries)
    .set({ status: 'dead', lastError: 'endpoint deleted' })
    .where(and(eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.status, 'pending')))
  return true
}

export async function listDeliveries(q: Queryable, endpointId: string, page: PageRequest) {
  return q
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.endpointId, endpointId), afterCursor(page, webhookDeliveries.createdAt, webhookDeliveries.id, 'desc')))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(page.limit + 1)
}

/** A delivery of one of the caller's live endpoints, locked so a redelivery and the worker do not interleave. */
export async function lockDelivery(q: Queryable, partnerClientId: string, id: string): Promise<DeliveryRow | undefined> {
  const [row] = await q
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(and(eq(webhookDeliveries.id, id), ownedBy(partnerClientId)))
    .for('update', { of: webhookDeliveries })
  return row
}

/** Back to pending with a fresh attempt budget; the event id stays, so the receiver can deduplicate. */
export async function resetDelivery(q: Queryable, id: string): Promise<DeliveryRow> {
  const [row] = await q
    .update(webhookDeliveries)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: sql`now()`, deliveredAt: null })
    .where(eq(webhookDeliveries.id, id))
    .returning(deliveryColumns)
  return row!
}
