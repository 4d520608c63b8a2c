// Idempotency-Key on creating POSTs: replay, 422 on another body, per caller, one record under concurrency, 24 h expiry.
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { purgeExpiredIdempotencyKeys } from '../../src/http/idempotency.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson } from '../factories.js'
import { build } from '../helper.js'

async function count(app: FastifyInstance, table: string, where: ReturnType<typeof sql>): Promise<number> {
  const [row] = await queryRows<{ n: number }>(app.database.db, sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`)
  return row!.n
}

t.test('Idempotency-Key', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const otherAdmin = await createAdmin(app)
  const post = (url: string, payload: object, key: string | undefined, headers = admin.headers) =>
    app.inject({ method: 'POST', url, headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) }, payload })
  const agencies = (name: string) => count(app, 'agencies', sql`name = ${name}`)

  await t.test('the same key and body replays the first response and creates one record', async (t) => {
    const first = await post('/v1/agencies', { name: 'Replay agency', kind: 'education' }, 'k-1')
    const second = await post('/v1/agencies', { kind: 'education', name: 'Replay agency' }, 'k-1')
    t.equal(first.statusCode, 201)
    t.notOk(first.headers['idempotent-replayed'])
    t.equal(second.statusCode, 201)
    t.equal(second.headers['idempotent-replayed'], 'true')
    t.same(second.json(), first.json(), 'same body, whatever the key order of the request')
    t.equal(await agencies('Replay agency'), 1)
  })

  await t.test('the same key with another body is 422 and creates nothing', async (t) => {
    const res = await post('/v1/agencies', { name: 'Another agency', kind: 'education' }, 'k-1')
    t.equal(res.statusCode, 422)
    t.match(res.json(), { code: 'POLKU_UNPROCESSABLE', detail: /different request/ })
    t.equal(await agencies('Another agency'), 0)
    const otherPath = await post('/v1/centres', { name: 'Replay agency', municipality: 'Oulu' }, 'k-1')
    t.equal(otherPath.statusCode, 422, 'the key names one request: method, path and body')
  })

  await t.test('keys belong to the caller', async (t) => {
    const res = await post('/v1/agencies', { name: 'Replay agency', kind: 'education' }, 'k-1', otherAdmin.headers)
    t.equal(res.statusCode, 201)
    t.notOk(res.headers['idempotent-replayed'])
    t.equal(await agencies('Replay agency'), 2)
  })

  await t.test('a malformed key is 400', async (t) => {
    for (const key of ['has space', 'x'.repeat(256), 'ääkkönen']) {
      const res = await app.inject({ method: 'POST', url: '/v1/agencies', headers: { ...admin.headers, 'idempotency-key': key }, payload: { name: 'Bad key', kind: 'education' } })
      t.equal(res.statusCode, 400, key)
    }
    t.equal(await agencies('Bad key'), 0)
  })

  await t.test('a failed request stores nothing, so the corrected one may use the key', async (t) => {
    const failed = await post('/v1/professionals', { agencyId: randomUUID(), role: 'nurse', displayName: 'N', subject: 'idem-pro-1' }, 'k-fix')
    t.equal(failed.statusCode, 422)
    const again = await post('/v1/professionals', { agencyId: randomUUID(), role: 'nurse', displayName: 'N', subject: 'idem-pro-1' }, 'k-fix')
    t.equal(again.statusCode, 422)
    t.notOk(again.headers['idempotent-replayed'])
  })

  await t.test('ten identical requests at once create exactly one record', async (t) => {
    const results = await Promise.all(Array.from({ length: 10 }, () => post('/v1/agencies', { name: 'Concurrent agency', kind: 'education' }, 'k-burst')))
    const created = results.filter((r) => r.statusCode === 201)
    t.ok(created.length >= 1)
    t.ok(results.every((r) => r.statusCode === 201 || r.statusCode === 409), results.map((r) => r.statusCode).join(','))
    for (const r of results.filter((r) => r.statusCode === 409)) t.match(r.json(), { code: 'POLKU_CONFLICT', detail: /still in progress/ })
    t.equal(new Set(created.map((r) => r.json().id)).size, 1, 'every 201 names the same agency')
    t.equal(await agencies('Concurrent agency'), 1)
  })

  await t.test('a key expires after 24 hours', async (t) => {
    const first = await post('/v1/agencies', { name: 'Expiring agency', kind: 'education' }, 'k-old')
    const stored = await count(app, 'idempotency_keys', sql`expires_at between now() + interval '23 hours 59 minutes' and now() + interval '24 hours 1 minute'`)
    t.ok(stored >= 1, 'stored for 24 hours')
    await app.database.db.execute(sql`update idempotency_keys set expires_at = now() - interval '1 second'`)
    await purgeExpiredIdempotencyKeys(app.database.db, new Date())
    t.equal(await count(app, 'idempotency_keys', sql`true`), 0, 'the worker purges expired keys')
    const second = await post('/v1/agencies', { name: 'Expiring agency', kind: 'education' }, 'k-old')
    t.equal(second.statusCode, 201)
    t.notOk(second.headers['idempotent-replayed'])
    t.not(second.json().id, first.json().id)
    t.equal(await agencies('Expiring agency'), 2)
  })

  await t.test('every creating registry POST is idempotent', async (t) => {
    const agency = await createAgency(app, admin)
    const cases = [
      { url: '/v1/centres', payload: { name: 'Ohjaamo Idem', municipality: 'Turku' }, table: 'centres', where: sql`name = 'Ohjaamo Idem'` },
      {
        url: '/v1/professionals',
        payload: { agencyId: agency.id, role: 'nurse', displayName: 'Idem Nurse', subject: 'idem-nurse' },
        table: 'professionals',
        where: sql`display_name = 'Idem Nurse'`,
      },
      {
        url: '/v1/partner-clients',
        payload: { name: 'Idem partner', agencyId: agency.id, scopes: ['stats:read'] },
        table: 'partner_clients',
        where: sql`name = 'Idem partner'`,
      },
    ]
    for (const c of cases) {
      const first = await post(c.url, c.payload, `reg-${c.table}`)
      const second = await post(c.url, c.payload, `reg-${c.table}`)
      t.equal(first.statusCode, 201, `${c.url}: ${first.body}`)
      t.equal(second.statusCode, 201, c.url)
      t.equal(second.headers['idempotent-replayed'], 'true', c.url)
      t.same(second.json(), first.json(), c.url)
      t.equal(await count(app, c.table, c.where), 1, c.url)
    }
  })

  await t.test('stored responses are sealed: no secret or personal data readable in the table', async (t) => {
    const client = await post('/v1/partner-clients', { name: 'Sealed partner', agencyId: (await createAgency(app, admin)).id, scopes: ['stats:read'] }, 'seal-1')
    const agency = await createAgency(app, admin, { kind: 'health_services' })
    const nurse = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })
    await app.inject({
      method: 'POST',
      url: '/v1/young-persons',
      headers: { ...nurse.headers, 'idempotency-key': 'seal-2' },
      payload: {
        givenName: 'Sinikka',
        familyName: 'Salainen',
        birthDate: '2006-02-03',
        consent: { grantee: { professionalId: nurse.id }, categories: ['identity'], actions: ['read'], purpose: 'Support', evidence: 'F-1' },
      },
    })
    const rows = await queryRows<Record<string, unknown>>(app.database.db, sql`select * from idempotency_keys`)
    const dump = JSON.stringify(rows)
    t.notMatch(dump, client.json().clientSecret)
    t.notMatch(dump, /Sinikka|Salainen|2006-02-03/)
    t.notMatch(dump, /seal-1|seal-2/, 'the keys themselves are stored hashed')
  })

  await t.test('consent grants and consent requests are idempotent', async (t) => {
    const agency = await createAgency(app, admin, { kind: 'social_services' })
    const worker = await createProfessional(app, admin, { agencyId: agency.id, role: 'social_worker' })
    const yp = await createYoungPerson(app, worker, { withAccount: true })
    const consents = () => count(app, 'consents', sql`young_person_id = ${yp.id}`)
    const requests = () => count(app, 'consent_requests', sql`young_person_id = ${yp.id}`)
    const grant = { grantee: { agencyId: agency.id }, categories: ['social'], actions: ['read'], purpose: 'Housing support' }
    const g1 = await post(`/v1/young-persons/${yp.id}/consents`, grant, 'grant-1', yp.actor!.headers)
    const g2 = await post(`/v1/young-persons/${yp.id}/consents`, grant, 'grant-1', yp.actor!.headers)
    t.equal(g1.statusCode, 201)
    t.equal(g2.headers['idempotent-replayed'], 'true')
    t.same(g2.json(), g1.json())
    t.equal(await consents(), 2, 'the intake consent and one grant')

    const ask = { grantee: { agencyId: agency.id }, categories: ['housing'], actions: ['read'], purpose: 'Housing application' }
    const r1 = await post(`/v1/young-persons/${yp.id}/consent-requests`, ask, 'ask-1', worker.headers)
    const r2 = await post(`/v1/young-persons/${yp.id}/consent-requests`, ask, 'ask-1', worker.headers)
    t.equal(r1.statusCode, 201, r1.body)
    t.equal(r2.headers['idempotent-replayed'], 'true')
    t.same(r2.json(), r1.json())
    t.equal(await requests(), 1)

    const hidden = await post(`/v1/young-persons/${randomUUID()}/consent-requests`, ask, 'ask-2', worker.headers)
    t.equal(hidden.statusCode, 404, 'not found is not stored as a response')
  })
})
