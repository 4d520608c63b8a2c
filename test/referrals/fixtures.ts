// A referral world: a referring youth counsellor, a receiving health agency, partner webhooks on both sides.
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createPartnerClient, createProfessional, createYoungPerson, type ProfessionalActor } from '../factories.js'

export const REFERRAL_EVENTS = ['referral.created', 'referral.accepted', 'referral.declined', 'referral.completed']

/** A webhook endpoint for a partner client of `agencyId`, written straight to the database. */
async function partnerEndpoint(app: FastifyInstance, admin: Awaited<ReturnType<typeof createAdmin>>, agencyId: string): Promise<string> {
  const client = await createPartnerClient(app, admin, { agencyId, scopes: ['referrals:read'] })
  const [row] = await queryRows<{ id: string }>(
    app.database.db,
    sql`insert into webhook_endpoints (partner_client_id, url, events, secret)
        values (${client.id}, 'https://partner.example/hooks', ${`{${REFERRAL_EVENTS.join(',')}}`}::text[], ${randomUUID()}) returning id`,
  )
  return row!.id
}

export async function referralWorld(app: FastifyInstance) {
  const admin = await createAdmin(app)
  const employment = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor', displayName: 'Kaisa Counsellor' })
  const colleague = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor', displayName: 'Olli Colleague' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse', displayName: 'Noora Nurse' })
  const psychologist = await createProfessional(app, admin, { agencyId: health.id, role: 'psychologist', displayName: 'Pekka Psychologist' })
  const endpoints = {
    employment: await partnerEndpoint(app, admin, employment.id),
    health: await partnerEndpoint(app, admin, health.id),
  }
  return { admin, employment, health, counsellor, colleague, nurse, psychologist, endpoints }
}

export type ReferralWorld = Awaited<ReturnType<typeof referralWorld>>

/** A young person with an account who consented in person to `by` for identity and pathway, read and write. */
export const youngPersonOf = (app: FastifyInstance, by: ProfessionalActor) => createYoungPerson(app, by, { withAccount: true })

/** Webhook deliveries queued for one endpoint, by event type. */
export async function deliveries(app: FastifyInstance, endpointId: string) {
  return queryRows<{ eventType: string; payload: { type: string; data: Record<string, unknown> } }>(
    app.database.db,
    sql`select event_type as "eventType", payload from webhook_deliveries where endpoint_id = ${endpointId} order by created_at, id`,
  )
}

export async function refer(app: FastifyInstance, by: ProfessionalActor, body: Record<string, unknown>) {
  return app.inject({
    method: 'POST',
    url: '/v1/referrals',
    headers: by.headers,
    payload: { reason: 'Needs a health check before starting work practice', categories: ['health'], ...body },
  })
}

/** A decision on a referral; accept and withdraw are sent without a body, as a client would. */
export const decide = (app: FastifyInstance, actor: { headers: object }, id: string, decision: string, payload?: object) =>
  app.inject({ method: 'POST', url: `/v1/referrals/${id}/${decision}`, headers: actor.headers as Record<string, string>, ...(payload ? { payload } : {}) })

/** A problem body without the per-request fields, to compare two 404s. */
export const problem = (body: Record<string, unknown>) => ({ ...body, requestId: undefined, instance: undefined })
