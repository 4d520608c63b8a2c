// A partner system drives a real listening server with the client generated from openapi/openapi.json.
import type { AddressInfo } from 'node:net'
import createClient from 'openapi-fetch'
import t from 'tap'
import { verifySignature } from '../../src/modules/webhooks/signature.js'
import type { paths } from '../client/polku-api.js'
import { createAdmin, createAgency, createPartnerClient, createProfessional, createYoungPerson } from '../factories.js'
import { build } from '../helper.js'
import { startReceiver } from '../webhooks/receiver.js'

t.test('partner scenario over HTTP with the typed client', async (t) => {
  // The real background worker delivers the webhooks here, as in production.
  const app = await build(t, { config: { webhookWorker: true, webhookAllowPrivateNetworks: true } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

  const admin = await createAdmin(app)
  const employment = await createAgency(app, admin, { name: 'Employment service', kind: 'employment_service' })
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
  const yp = await createYoungPerson(app, nurse, { withAccount: true })
  const registered = await createPartnerClient(app, admin, { agencyId: employment.id, scopes: ['pathway:read', 'pathway:write', 'referrals:read'] })
  const receiver = await startReceiver(t, '/polku-events')

  const anonymous = createClient<paths>({ baseUrl })
  const token = await anonymous.POST('/v1/oauth/token', {
    body: { grant_type: 'client_credentials', client_id: registered.clientId, client_secret: registered.clientSecret },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
  t.equal(token.response.status, 200)
  t.equal(token.data?.token_type, 'Bearer')
  t.equal(token.data?.scope, 'pathway:read pathway:write referrals:read')
  const partner = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${token.data!.access_token}` } })
  const youngPerson = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${yp.actor!.token}` } })

  const hook = await partner.POST('/v1/webhooks', { body: { url: receiver.url, events: ['consent.granted', 'consent.revoked'] } })
  t.equal(hook.response.status, 201)
  const secret = hook.data!.secret

  const before = await partner.GET('/v1/young-persons/{id}/pathway', { params: { path: { id: yp.id } } })
  t.equal(before.response.status, 404, 'no consent yet: nothing to see')

  const granted = await youngPerson.POST('/v1/young-persons/{id}/consents', {
    params: { path: { id: yp.id } },
    body: { grantee: { agencyId: employment.id }, categories: ['pathway', 'employment'], actions: ['read', 'write'], purpose: 'Job search with the employment service' },
  })
  t.equal(granted.response.status, 201)
  const consentId = granted.data!.id

  const [grantEvent] = await receiver.waitFor(1)
  t.equal(grantEvent!.path, '/polku-events')
  t.ok(verifySignature(secret, grantEvent!.headers['polku-signature'] as string, grantEvent!.rawBody), 'the signature verifies')
  const grantBody = JSON.parse(grantEvent!.rawBody)
  t.equal(grantEvent!.headers['polku-event-id'], grantBody.id)
  t.match(grantBody, { type: 'consent.granted', data: { consentId, youngPersonId: yp.id, agencyId: employment.id, categories: ['pathway', 'employment'] } })

  const pathway = await partner.GET('/v1/young-persons/{id}/pathway', { params: { path: { id: yp.id } } })
  t.equal(pathway.response.status, 200)
  t.match(pathway.data, { youngPersonId: yp.id, goals: [] })

  // Referrals are made by professionals only; the partner's creating call is a goal on the pathway.
  const createGoal = () =>
    partner.POST('/v1/young-persons/{id}/goals', {
      params: { path: { id: yp.id } },
      headers: { 'idempotency-key': 'goal-2026-job-search' },
      body: { title: 'Find a summer job', category: 'employment' },
    })
  const first = await createGoal()
  const second = await createGoal()
  t.equal(first.response.status, 201)
  t.equal(second.response.status, 201)
  t.equal(second.response.headers.get('idempotent-replayed'), 'true')
  t.same(second.data, first.data, 'the repeat returns the first response')
  const goals = await partner.GET('/v1/young-persons/{id}/pathway', { params: { path: { id: yp.id } } })
  t.equal(goals.data?.goals.length, 1, 'one goal was created')

  const revoked = await youngPerson.POST('/v1/consents/{id}/revoke', { params: { path: { id: consentId } }, body: {} })
  t.equal(revoked.response.status, 200)
  t.equal(revoked.data?.status, 'revoked')

  const [, revokeEvent] = await receiver.waitFor(2)
  t.ok(verifySignature(secret, revokeEvent!.headers['polku-signature'] as string, revokeEvent!.rawBody))
  t.match(JSON.parse(revokeEvent!.rawBody), { type: 'consent.revoked', data: { consentId, reason: 'revoked' } })

  const after = await partner.GET('/v1/young-persons/{id}/pathway', { params: { path: { id: yp.id } } })
  t.equal(after.response.status, 404, 'access ends with the revocation')
  t.match(after.error, { status: 404, code: 'POLKU_NOT_FOUND' })

  const log = await partner.GET('/v1/webhooks/{id}/deliveries', { params: { path: { id: hook.data!.id } } })
  t.same(
    log.data?.items.map((d) => [d.eventType, d.status, d.attempts, d.lastStatusCode]),
    [
      ['consent.revoked', 'delivered', 1, 204],
      ['consent.granted', 'delivered', 1, 204],
    ],
  )
})
