// Ownership and injection: nobody reaches another young person's consents, and ids or states never come from a body.
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build } from '../helper.js'

const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined, instance: undefined })

async function counts(app: FastifyInstance) {
  const [row] = await queryRows<{ consents: number; requests: number; persons: number }>(
    app.database.db,
    sql`select (select count(*)::int from consents) as consents, (select count(*)::int from consent_requests) as requests, (select count(*)::int from young_persons) as persons`,
  )
  return row!
}

t.test('consents belong to their young person', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Youth services' })
  const pro = await createProfessional(app, admin, { agencyId: agency.id, role: 'youth_counsellor' })
  const stranger = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })
  const alice = await createYoungPerson(app, pro, { withAccount: true, givenName: 'Alice' })
  const bob = await createYoungPerson(app, pro, { withAccount: true, givenName: 'Bob' })
  const missingConsent = await app.inject({ url: '/v1/consents/00000000-0000-4000-8000-000000000000', headers: alice.actor!.headers })
  const notFound = strip(missingConsent.json())

  await t.test("a young person cannot see, list, grant for or revoke another young person's consents", async (t) => {
    const before = await counts(app)
    const calls = [
      { method: 'GET' as const, url: `/v1/consents/${bob.consentId}` },
      { method: 'POST' as const, url: `/v1/consents/${bob.consentId}/revoke`, payload: {} },
      { method: 'GET' as const, url: `/v1/young-persons/${bob.id}/consents` },
      { method: 'GET' as const, url: `/v1/young-persons/${bob.id}` },
      {
        method: 'POST' as const,
        url: `/v1/young-persons/${bob.id}/consents`,
        payload: { grantee: { professionalId: stranger.id }, categories: ['health'], actions: ['read'], purpose: 'Looking at Bob' },
      },
    ]
    for (const call of calls) {
      const res = await app.inject({ ...call, headers: alice.actor!.headers })
      t.equal(res.statusCode, 404, `${call.method} ${call.url}`)
      t.same(strip(res.json()), notFound, 'the same body as for a consent that does not exist')
    }
    t.same(await counts(app), before, 'nothing was written')
    const bobs = await app.inject({ url: `/v1/consents/${bob.consentId}`, headers: bob.actor!.headers })
    t.equal(bobs.json().status, 'active', "Bob's consent is untouched")
  })

  await t.test("a young person cannot replace another young person's consent through supersedes", async (t) => {
    const before = await counts(app)
    const res = await app.inject({
      method: 'POST',
      url: `/v1/young-persons/${alice.id}/consents`,
      headers: alice.actor!.headers,
      payload: { grantee: { professionalId: stranger.id }, categories: ['pathway'], actions: ['read'], purpose: 'Take over', supersedes: bob.consentId },
    })
    t.equal(res.statusCode, 422)
    t.match(res.json(), { code: 'POLKU_UNPROCESSABLE', detail: 'supersedes does not name a consent of this young person' })
    t.same(await counts(app), before, 'nothing was written')
    t.equal((await app.inject({ url: `/v1/consents/${bob.consentId}`, headers: bob.actor!.headers })).json().status, 'active')
  })

  await t.test('a professional cannot record consent without evidence', async (t) => {
    const before = await counts(app)
    for (const evidence of [undefined, '   ']) {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/young-persons/${alice.id}/consents`,
        headers: pro.headers,
        payload: { grantee: { professionalId: stranger.id }, categories: ['health', 'psychological'], actions: ['read', 'write'], purpose: 'Everything, please', ...(evidence === undefined ? {} : { evidence }) },
      })
      t.equal(res.statusCode, 422, `evidence ${JSON.stringify(evidence)}`)
      t.match(res.json(), { code: 'POLKU_UNPROCESSABLE', detail: 'evidence is required when a professional records consent given in person' })
    }
    t.same(await counts(app), before, 'nothing was written')
  })

  await t.test('a professional cannot record consent for a young person they hold no consent for', async (t) => {
    const before = await counts(app)
    const res = await app.inject({
      method: 'POST',
      url: `/v1/young-persons/${alice.id}/consents`,
      headers: stranger.headers,
      payload: { grantee: { professionalId: stranger.id }, categories: ['identity'], actions: ['read'], purpose: 'Let me in', evidence: 'FORM-FAKE-1' },
    })
    t.equal(res.statusCode, 404)
    t.same(strip(res.json()), notFound)
    t.same(await counts(app), before, 'nothing was written')
  })

  await t.test('ids, authors, methods and states in a body are refused with 400 naming the field', async (t) => {
    const grant = { grantee: { professionalId: stranger.id }, categories: ['pathway'], actions: ['read'], purpose: 'Shared planning' }
    const injected: [string, string, Record<string, unknown>, string][] = [
      ['young person grants', `/v1/young-persons/${alice.id}/consents`, { ...grant, youngPersonId: bob.id }, 'body.youngPersonId'],
      ['young person grants', `/v1/young-persons/${alice.id}/consents`, { ...grant, grantedBy: pro.id }, 'body.grantedBy'],
      ['young person grants', `/v1/young-persons/${alice.id}/consents`, { ...grant, grantedByAccountId: pro.id }, 'body.grantedByAccountId'],
      ['young person grants', `/v1/young-persons/${alice.id}/consents`, { ...grant, method: 'in_person' }, 'body.method'],
      ['young person grants', `/v1/young-persons/${alice.id}/consents`, { ...grant, status: 'active' }, 'body.status'],
      ['young person grants', `/v1/young-persons/${alice.id}/consents`, { ...grant, revokedAt: null }, 'body.revokedAt'],
      ['young person grants', `/v1/young-persons/${alice.id}/consents`, { ...grant, validFrom: '2020-01-01T00:00:00Z' }, 'body.validFrom'],
      ['young person grants', `/v1/young-persons/${alice.id}/consents`, { ...grant, id: '00000000-0000-4000-8000-000000000001' }, 'body.id'],
      ['young person revokes', `/v1/consents/${alice.consentId}/revoke`, { revokedAt: '2020-01-01T00:00:00Z' }, 'body.revokedAt'],
      ['young person revokes', `/v1/consents/${alice.consentId}/revoke`, { revokedBy: pro.id }, 'body.revokedBy'],
    ]
    const asPro: [string, string, Record<string, unknown>, string][] = [
      ['professional records', `/v1/young-persons/${alice.id}/consents`, { ...grant, evidence: 'FORM-1', grantedBy: alice.id }, 'body.grantedBy'],
      ['professional records', `/v1/young-persons/${alice.id}/consents`, { ...grant, evidence: 'FORM-1', method: 'digital' }, 'body.method'],
      ['professional asks', `/v1/young-persons/${alice.id}/consent-requests`, { ...grant, youngPersonId: bob.id }, 'body.youngPersonId'],
      ['professional asks', `/v1/young-persons/${alice.id}/consent-requests`, { ...grant, requestedByProfessionalId: stranger.id }, 'body.requestedByProfessionalId'],
      ['professional asks', `/v1/young-persons/${alice.id}/consent-requests`, { ...grant, status: 'approved' }, 'body.status'],
      [
        'intake',
        '/v1/young-persons',
        { givenName: 'Eve', familyName: 'Injected', birthDate: '2004-02-02', createdByProfessionalId: stranger.id, consent: { ...grant, evidence: 'FORM-2' } },
        'body.createdByProfessionalId',
      ],
      ['intake', '/v1/young-persons', { givenName: 'Eve', familyName: 'Injected', birthDate: '2004-02-02', consent: { ...grant, evidence: 'FORM-2', method: 'digital' } }, 'body.consent.method'],
      [
        'intake',
        '/v1/young-persons',
        { givenName: 'Eve', familyName: 'Injected', birthDate: '2004-02-02', consent: { ...grant, evidence: 'FORM-2', youngPersonId: bob.id } },
        'body.consent.youngPersonId',
      ],
    ]
    const before = await counts(app)
    const cases = [...injected.map((c) => ({ c, headers: alice.actor!.headers })), ...asPro.map((c) => ({ c, headers: pro.headers }))]
    for (const { c: [who, url, payload, field], headers } of cases) {
      const res = await app.inject({ method: 'POST', url, headers, payload })
      t.equal(res.statusCode, 400, `${who}: ${field}`)
      t.match(res.json(), { code: 'POLKU_VALIDATION', errors: [{ field, message: 'is not an accepted property' }] }, `${who}: ${field} is named`)
    }
    t.same(await counts(app), before, 'nothing was written')
    t.equal((await app.inject({ url: `/v1/consents/${alice.consentId}`, headers: alice.actor!.headers })).json().status, 'active')
  })

  await t.test('a grantee naming both a professional and an agency is refused', async (t) => {
    const before = await counts(app)
    const res = await app.inject({
      method: 'POST',
      url: `/v1/young-persons/${alice.id}/consents`,
      headers: alice.actor!.headers,
      payload: { grantee: { professionalId: stranger.id, agencyId: agency.id }, categories: ['pathway'], actions: ['read'], purpose: 'Both at once' },
    })
    t.equal(res.statusCode, 400)
    t.same(await counts(app), before)
  })

  await t.test("a young person's own grant is digital whatever they send; a professional's is in person with evidence", async (t) => {
    const digital = await grantConsent(app, alice, { grantee: { professionalId: stranger.id }, categories: ['education'] })
    const read = await app.inject({ url: `/v1/consents/${digital.id}`, headers: alice.actor!.headers })
    t.match(read.json(), { method: 'digital', evidence: null, receipt: { method: 'digital' } })
  })
})
