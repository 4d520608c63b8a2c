// Webhook test fixtures: a partner with a real OAuth token, an endpoint, and the outbox rows.
import type { FastifyInstance } from 'fastify'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/client.js'
import { type Actor, createPartnerClient } from '../factories.js'
import { bearer } from '../helper.js'

export interface Partner {
  id: string
  clientId: string
  clientSecret: string
  agencyId: string
  headers: { authorization: string }
}

export async function partnerToken(app: FastifyInstance, clientId: string, clientSecret: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/oauth/token',
    payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
  })
  if (res.statusCode !== 200) throw new Error(`partnerToken: ${res.statusCode} ${res.body}`)
  return res.json().access_token
}

export async function createPartner(app: FastifyInstance, admin: Actor, agencyId: string, scopes: string[] = ['pathway:read']): Promise<Partner> {
  const client = await createPartnerClient(app, admin, { agencyId, scopes })
  const token = await partnerToken(app, client.clientId, client.clientSecret)
  return { id: client.id, clientId: client.clientId, clientSecret: client.clientSecret, agencyId, headers: bearer(token) }
}

export async function createEndpoint(app: FastifyInstance, partner: Partner, url: string, events: string[]) {
  const res = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: partner.headers, payload: { url, events } })
  if (res.statusCode !== 201) throw new Error(`createEndpoint: ${res.statusCode} ${res.body}`)
  return res.json() as { id: string; url: string; events: string[]; secret: string; createdAt: string }
}

export interface OutboxRow {
  id: string
  event_id: string
  endpoint_id: string
  event_type: string
  status: string
  attempts: number
  payload: { id: string; type: string; createdAt: string; data: Record<string, unknown> }
}

export async function outbox(app: FastifyInstance, endpointId?: string): Promise<OutboxRow[]> {
  return queryRows<OutboxRow>(
    app.database.db,
    sql`select id, event_id, endpoint_id, event_type, status, attempts, payload from webhook_deliveries
        where ${endpointId ?? null}::uuid is null or endpoint_id = ${endpointId ?? null}::uuid order by created_at, id`,
  )
}
