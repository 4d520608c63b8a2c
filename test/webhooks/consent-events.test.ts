// Consent events in the outbox: written with the change, once, only to partners that hold the consent.
import { sql } from 'drizzle-orm'
import t from 'tap'
import { sweepExpiredConsents } from '../../src/modules/webhooks/worker.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build } from '../helper.js'
import { createEndpoint, createPartner, outbox } from './fixtures.js'

const CONSENT_EVENTS = ['consent.granted', 'consent.revoked', 'consent.expired']

t.test('consent events', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const employment = await createAgency(app, admin, { name: 'Employment', kind: 'employment_service' })
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const partner = await createPartner(app, admin, employment.id)
  const bystander = await createPartner(app, admin, health.id)
  const endpoint = await createEndpoint(app, partner, 'https://employment.example/hooks', CONSENT_EVENTS)
  const bystanderEndpoint = await createEndpoint(app, bystander, 'https://health.example/hooks', CONSENT_EVENTS)
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor' })
  const yp = await createYoungPerson(app, nurse, { withAccount: true, givenName: 'Veera' })
  const events = async () => (await outbox(app, endpoint.id)).map((row) => row.payload)
  const revoke = (id: string) => app.inject({ method: 'POST', url: `/v1/consents/${id}/revoke`, headers: yp.actor!.headers, payload: {} })

  let agencyConsent: { id: string }
  await t.test('granting to the agency queues consent.granted for its partner, in ids and facts only', async (t) => {
    agencyConsent = await grantConsent(app, yp, { grantee: { agencyId: employment.id }, categories: ['employment', 'education'] })
    const [event] = await events()
    t.match(event, {
      type: 'consent.granted',
      data: {
        consentId: agencyConsent.id,
        youngPersonId: yp.id,
        agencyId: employment.id,
        categories: ['employment', 'education'],
        actions: ['read'],
        validUntil: /^\d{4}-\d\d-\d\dT/,
      },
    })
    t.same(Object.keys(event!.data).sort(), ['actions', 'agencyId', 'categories', 'consentId', 'validUntil', 'youngPersonId'])
    t.notMatch(JSON.stringify(event), /Veera|Testinen|2005-04-01|purpose|planning/, 'no identity or free text')
    t.same(await outbox(app, bystanderEndpoint.id), [], "another agency's partner hears nothing")
  })

  await t.test('consents a partner token cannot act under are not announced', async (t) => {
    await grantConsent(app, yp, { grantee: { professionalId: counsellor.id }, categories: ['employment'] })
    await grantConsent(app, yp, { grantee: { agencyId: employment.id, role: 'youth_counsellor' }, categories: ['employment'] })
    t.equal((await events()).length, 1)
  })

  await t.test('revoking queues consent.revoked; concurrent revokes queue it once', async (t) => {
    const res = await revoke(agencyConsent.id)
    t.equal(res.statusCode, 200)
    t.match((await events()).at(-1), { type: 'consent.revoked', data: { consentId: agencyConsent.id, reason: 'revoked' } })

    const second = await grantConsent(app, yp, { grantee: { agencyId: employment.id }, categories: ['employment'] })
    const results = await Promise.all(Array.from({ length: 6 }, () => revoke(second.id)))
    t.same(results.map((r) => r.statusCode).sort(), [200, 409, 409, 409, 409, 409])
    const revoked = (await events()).filter((e) => e.type === 'consent.revoked' && e.data.consentId === second.id)
    t.equal(revoked.length, 1, 'exactly one outbox row for one revocation')
  })

  await t.test('a failed change writes no event', async (t) => {
    const before = (await events()).length
    const res = await revoke(agencyConsent.id)
    t.equal(res.statusCode, 409)
    t.equal((await events()).length, before)
  })

  await t.test('replacing a consent revokes the old one and grants the new one', async (t) => {
    const old = await grantConsent(app, yp, { grantee: { agencyId: employment.id }, categories: ['employment', 'housing'] })
    const res = await app.inject({
      method: 'POST',
      url: `/v1/young-persons/${yp.id}/consents`,
      headers: yp.actor!.headers,
      payload: { grantee: { agencyId: employment.id }, categories: ['employment'], actions: ['read'], purpose: 'Narrower', supersedes: old.id },
    })
    t.equal(res.statusCode, 201, res.body)
    // Both events come from one transaction, so they share a timestamp: pick them by type, not order.
    const lastTwo = (await events()).slice(-2)
    const revoked = lastTwo.find((e) => (e as { type: string }).type === 'consent.revoked')
    const granted = lastTwo.find((e) => (e as { type: string }).type === 'consent.granted')
    t.match(revoked, { type: 'consent.revoked', data: { consentId: old.id, reason: 'superseded', supersededById: res.json().id } })
    t.match(granted, { type: 'consent.granted', data: { consentId: res.json().id, categories: ['employment'] } })
  })

  await t.test('approving a consent request queues consent.granted', async (t) => {
    const asked = await app.inject({
      method: 'POST',
      url: `/v1/young-persons/${yp.id}/consent-requests`,
      headers: nurse.headers,
      payload: { grantee: { agencyId: employment.id }, categories: ['employment'], actions: ['read'], purpose: 'Job search support' },
    })
    t.equal(asked.statusCode, 201, asked.body)
    const approved = await app.inject({ method: 'POST', url: `/v1/consent-requests/${asked.json().id}/approve`, headers: yp.actor!.headers, payload: {} })
    t.equal(approved.statusCode, 200, approved.body)
    t.match((await events()).at(-1), { type: 'consent.granted', data: { consentId: approved.json().consentId } })
  })

  await t.test('a consent recorded in person by a professional for another agency is announced to that agency', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: `/v1/young-persons/${yp.id}/consents`,
      headers: nurse.headers,
      payload: { grantee: { agencyId: employment.id }, categories: ['employment'], actions: ['read'], purpose: 'Job search support', evidence: 'FORM-77' },
    })
    t.equal(res.statusCode, 201, res.body)
    t.match(res.json(), { method: 'in_person', recordedBy: { kind: 'professional', professionalId: nurse.id } })
    t.match((await events()).at(-1), { type: 'consent.granted', data: { consentId: res.json().id, agencyId: employment.id, categories: ['employment'] } })
  })

  await t.test('an idempotent repeat of a grant queues no second event', async (t) => {
    const before = (await events()).length
    const grant = () =>
      app.inject({
        method: 'POST',
        url: `/v1/young-persons/${yp.id}/consents`,
        headers: { ...yp.actor!.headers, 'idempotency-key': 'grant-employment-1' },
        payload: { grantee: { agencyId: employment.id }, categories: ['education'], actions: ['read'], purpose: 'Study plans' },
      })
    const first = await grant()
    const second = await grant()
    t.equal(first.statusCode, 201)
    t.equal(second.headers['idempotent-replayed'], 'true')
    t.same(second.json(), first.json())
    t.equal((await events()).length, before + 1)
  })

  await t.test('consent.expired is queued once for an agency consent that ran out', async (t) => {
    const expiring = await grantConsent(app, yp, { grantee: { agencyId: employment.id }, categories: ['social'] })
    const stale = await grantConsent(app, yp, { grantee: { agencyId: employment.id }, categories: ['finance'] })
    await app.database.db.execute(sql`update consents set valid_until = now() - interval '1 minute' where id = ${expiring.id}`)
    await app.database.db.execute(sql`update consents set valid_until = now() - interval '8 days' where id = ${stale.id}`)
    // Endpoints hear of expiries after they were registered only.
    await app.database.db.execute(sql`update webhook_endpoints set created_at = now() - interval '1 hour'`)
    const before = (await events()).length
    t.equal(await sweepExpiredConsents(app), 1)
    t.equal(await sweepExpiredConsents(app), 0, 'a second sweep finds nothing new')
    const all = await events()
    t.equal(all.length, before + 1)
    t.match(all.at(-1), { type: 'consent.expired', data: { consentId: expiring.id, agencyId: employment.id, categories: ['social'] } })
    t.notOk(all.some((e) => e.data.consentId === stale.id && e.type === 'consent.expired'), 'long-past expiries are not announced')
    const [twice] = await Promise.all([sweepExpiredConsents(app), sweepExpiredConsents(app)])
    t.equal(twice, 0)
  })
})
