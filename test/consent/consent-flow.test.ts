import t from 'tap'
import { createAdmin, createAgency, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build } from '../helper.js'

t.test('consent decides who sees a young person, and withdrawal is immediate', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const employment = await createAgency(app, admin, { name: 'Employment', kind: 'employment_service' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor' })
  const yp = await createYoungPerson(app, nurse, { categories: ['identity', 'health'], withAccount: true })

  const seen = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })
  t.equal(seen.statusCode, 200)
  t.match(seen.json(), { id: yp.id, givenName: 'Aada', familyName: 'Testinen', birthDate: '2005-04-01', categories: ['health', 'identity'] })

  const hidden = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: counsellor.headers })
  const missing = await app.inject({ url: '/v1/young-persons/00000000-0000-4000-8000-000000000000', headers: counsellor.headers })
  t.equal(hidden.statusCode, 404)
  t.equal(missing.statusCode, 404)
  const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined, instance: undefined })
  t.same(strip(hidden.json()), strip(missing.json()), 'no consent and no record look the same')

  const granted = await grantConsent(app, yp, { grantee: { professionalId: counsellor.id }, categories: ['employment'] })
  t.equal(granted.status, 'active')
  const partial = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: counsellor.headers })
  t.equal(partial.statusCode, 200)
  t.same(Object.keys(partial.json()).sort(), ['categories', 'createdAt', 'id'], 'no identity fields without identity consent')

  const caseload = await app.inject({ url: '/v1/caseload', headers: counsellor.headers })
  t.equal(caseload.statusCode, 200)
  t.match(caseload.json(), { total: 1, items: [{ id: yp.id, givenName: null, categories: ['employment'] }] })

  const revoke = await app.inject({ method: 'POST', url: `/v1/consents/${granted.id}/revoke`, headers: yp.actor!.headers, payload: {} })
  t.equal(revoke.statusCode, 200)
  t.equal(revoke.json().status, 'revoked')
  const after = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: counsellor.headers })
  t.equal(after.statusCode, 404, 'the next request after revocation sees nothing')
  const emptied = await app.inject({ url: '/v1/caseload', headers: counsellor.headers })
  t.match(emptied.json(), { total: 0, items: [] })

  const mine = await app.inject({ url: '/v1/me/consents', headers: yp.actor!.headers })
  t.equal(mine.statusCode, 200)
  t.same(mine.json().items.map((c: { status: string }) => c.status).sort(), ['active', 'revoked'])
})
