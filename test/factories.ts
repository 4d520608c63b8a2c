// Small factories: each builds one real record through the API (or the CLI's own functions) and returns it.
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { createAccount } from '../src/modules/demo/demo.seed.js'
import { bearer, tokenFor } from './helper.js'

export interface Actor {
  id: string
  subject: string
  token: string
  headers: { authorization: string }
}

export interface ProfessionalActor extends Actor {
  agencyId: string
  role: string
  accountId?: string
}

async function account(app: FastifyInstance, kind: 'admin' | 'auditor'): Promise<Actor> {
  const subject = `${kind}-${randomUUID()}`
  const { id } = await app.database.transaction((tx) => createAccount(tx, kind, subject))
  const token = tokenFor(app, subject)
  return { id, subject, token, headers: bearer(token) }
}

export const createAdmin = (app: FastifyInstance) => account(app, 'admin')
export const createAuditor = (app: FastifyInstance) => account(app, 'auditor')

export async function createAgency(app: FastifyInstance, admin: Actor, body: { name?: string; kind?: string } = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/agencies',
    headers: admin.headers,
    payload: { name: body.name ?? 'Test agency', kind: body.kind ?? 'social_services' },
  })
  if (res.statusCode !== 201) throw new Error(`createAgency: ${res.statusCode} ${res.body}`)
  return res.json() as { id: string; name: string; kind: string }
}

export async function createProfessional(
  app: FastifyInstance,
  admin: Actor,
  { agencyId, role = 'youth_counsellor', displayName }: { agencyId: string; role?: string; displayName?: string },
): Promise<ProfessionalActor> {
  const subject = `pro-${randomUUID()}`
  const res = await app.inject({
    method: 'POST',
    url: '/v1/professionals',
    headers: admin.headers,
    payload: { agencyId, role, displayName: displayName ?? `Test ${role}`, subject },
  })
  if (res.statusCode !== 201) throw new Error(`createProfessional: ${res.statusCode} ${res.body}`)
  const token = tokenFor(app, subject)
  return { id: res.json().id, subject, token, headers: bearer(token), agencyId, role }
}

export async function createCentre(app: FastifyInstance, admin: Actor, name = 'Ohjaamo Test') {
  const res = await app.inject({ method: 'POST', url: '/v1/centres', headers: admin.headers, payload: { name, municipality: 'Tampere' } })
  if (res.statusCode !== 201) throw new Error(`createCentre: ${res.statusCode} ${res.body}`)
  return res.json() as { id: string; name: string; municipality: string }
}

export async function createPartnerClient(app: FastifyInstance, admin: Actor, { agencyId, scopes }: { agencyId: string; scopes: string[] }) {
  const res = await app.inject({ method: 'POST', url: '/v1/partner-clients', headers: admin.headers, payload: { name: 'Partner system', agencyId, scopes } })
  if (res.statusCode !== 201) throw new Error(`createPartnerClient: ${res.statusCode} ${res.body}`)
  return res.json() as { id: string; clientId: string; clientSecret: string; scopes: string[] }
}

export interface YoungPersonFixture {
  id: string
  consentId: string
  /** Set when the young person was given a login subject. */
  actor?: Actor
  /** The one-time link code intake returned (only without a login subject). */
  linkCode?: string
}

/** Intake by `by`, with a first in-person consent (by default to `by` themselves). */
export async function createYoungPerson(
  app: FastifyInstance,
  by: ProfessionalActor,
  options: {
    grantee?: { professionalId: string } | { agencyId: string; role?: string }
    categories?: string[]
    actions?: string[]
    withAccount?: boolean
    givenName?: string
  } = {},
): Promise<YoungPersonFixture> {
  const subject = options.withAccount ? `yp-${randomUUID()}` : undefined
  const res = await app.inject({
    method: 'POST',
    url: '/v1/young-persons',
    headers: by.headers,
    payload: {
      givenName: options.givenName ?? 'Aada',
      familyName: 'Testinen',
      birthDate: '2005-04-01',
      ...(subject ? { subject } : {}),
      consent: {
        grantee: options.grantee ?? { professionalId: by.id },
        categories: options.categories ?? ['identity', 'pathway'],
        actions: options.actions ?? ['read', 'write'],
        purpose: 'Coordinating support for studies and work',
        evidence: 'FORM-2026-001',
      },
    },
  })
  if (res.statusCode !== 201) throw new Error(`createYoungPerson: ${res.statusCode} ${res.body}`)
  const body = res.json()
  const fixture: YoungPersonFixture = { id: body.id, consentId: body.consent.id, ...(body.linkCode ? { linkCode: body.linkCode.code } : {}) }
  if (subject) {
    const token = tokenFor(app, subject)
    fixture.actor = { id: body.id, subject, token, headers: bearer(token) }
  }
  return fixture
}

/** Grants consent as the young person themselves (digital). */
export async function grantConsent(
  app: FastifyInstance,
  youngPerson: YoungPersonFixture,
  body: { grantee: object; categories: string[]; actions?: string[]; purpose?: string },
) {
  const res = await app.inject({
    method: 'POST',
    url: `/v1/young-persons/${youngPerson.id}/consents`,
    headers: youngPerson.actor!.headers,
    payload: { actions: ['read'], purpose: 'Shared support planning', ...body },
  })
  if (res.statusCode !== 201) throw new Error(`grantConsent: ${res.statusCode} ${res.body}`)
  return res.json() as { id: string; status: string }
}

/** A partner system's bearer headers, obtained like a partner does: client credentials at POST /v1/oauth/token. */
export async function partnerHeaders(app: FastifyInstance, client: { clientId: string; clientSecret: string }) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }).toString(),
  })
  if (res.statusCode !== 200) throw new Error(`partnerHeaders: ${res.statusCode} ${res.body}`)
  return bearer(res.json().access_token as string)
}
