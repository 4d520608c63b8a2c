// The team: holders of active consent, shown to the young person and to pathway readers only.
import t from 'tap'
import { createAdmin, createAgency, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build } from '../helper.js'

t.test('team', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const employment = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor', displayName: 'Kaisa Ohjaaja' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
  const stranger = await createProfessional(app, admin, { agencyId: employment.id, role: 'study_counsellor' })
  const yp = await createYoungPerson(app, counsellor, { categories: ['identity', 'pathway'], withAccount: true })
  const agencyGrant = await grantConsent(app, yp, { grantee: { agencyId: health.id, role: 'nurse' }, categories: ['health'] })
  const url = `/v1/young-persons/${yp.id}/team`

  await t.test('pathway readers see who holds consent now, newest consent first', async (t) => {
    const res = await app.inject({ url, headers: counsellor.headers })
    t.equal(res.statusCode, 200, res.body)
    const { items, nextCursor } = res.json()
    t.equal(nextCursor, null)
    t.match(items, [
      { consentId: agencyGrant.id, kind: 'agency', professionalId: null, name: null, role: 'nurse', agency: { id: health.id, name: 'Youth health' }, categories: ['health'], actions: ['read'] },
      { consentId: yp.consentId, kind: 'professional', professionalId: counsellor.id, name: 'Kaisa Ohjaaja', role: 'youth_counsellor', agency: { id: employment.id, name: 'Employment services' }, categories: ['identity', 'pathway'], actions: ['read', 'write'] },
    ])
    t.equal(items.length, 2)
    t.ok(items.every((m: { validUntil: string }) => Date.parse(m.validUntil) > Date.now()), 'each says until when')
  })

  await t.test('the young person sees their team at both addresses', async (t) => {
    const mine = await app.inject({ url: '/v1/me/team', headers: yp.actor!.headers })
    t.equal(mine.statusCode, 200)
    const direct = await app.inject({ url, headers: yp.actor!.headers })
    t.same(mine.json(), direct.json())
    t.equal(mine.json().items.length, 2)
    t.equal((await app.inject({ url: '/v1/me/team', headers: counsellor.headers })).statusCode, 403)
  })

  await t.test('without pathway read consent the team is not found', async (t) => {
    t.equal((await app.inject({ url, headers: nurse.headers })).statusCode, 404, 'a health-only consent does not show the team')
    t.equal((await app.inject({ url, headers: stranger.headers })).statusCode, 404)
  })

  await t.test('a withdrawn consent leaves the team at once', async (t) => {
    const revoke = await app.inject({ method: 'POST', url: `/v1/consents/${agencyGrant.id}/revoke`, headers: yp.actor!.headers, payload: {} })
    t.equal(revoke.statusCode, 200)
    const res = await app.inject({ url, headers: counsellor.headers })
    t.same(res.json().items.map((m: { consentId: string }) => m.consentId), [yp.consentId])
  })
})
