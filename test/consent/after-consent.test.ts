// No personal data after a consent ends: what the caller may still do answers with ids and status only.
import t from 'tap'
import { createAdmin, createAgency, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build } from '../helper.js'

t.test('after the young person withdraws the consent', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const employment = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const housing = await createAgency(app, admin, { name: 'Housing advice', kind: 'social_services' })
  const intakeAgency = await createAgency(app, admin, { name: 'Ohjaamo', kind: 'youth_work' })
  const intaker = await createProfessional(app, admin, { agencyId: intakeAgency.id, role: 'outreach_worker' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor' })

  const setUp = async () => {
    const yp = await createYoungPerson(app, intaker, { withAccount: true })
    const consent = await grantConsent(app, yp, { grantee: { professionalId: counsellor.id }, categories: ['identity', 'pathway'], actions: ['read', 'write'] })
    const withdraw = () => app.inject({ method: 'POST', url: `/v1/consents/${consent.id}/revoke`, headers: yp.actor!.headers, payload: {} })
    return { yp, withdraw }
  }
  const post = (url: string, payload: object, key: string) =>
    app.inject({ method: 'POST', url, headers: { ...counsellor.headers, 'idempotency-key': key }, payload })

  await t.test('the referrer withdraws their referral and gets its id and status, not its reason', async (t) => {
    const { yp, withdraw } = await setUp()
    const made = await post('/v1/referrals', { youngPersonId: yp.id, toAgencyId: housing.id, reason: 'Facing eviction', categories: ['pathway'] }, 'ref-1')
    t.equal(made.statusCode, 201)
    t.equal((await withdraw()).statusCode, 200)
    const res = await app.inject({ method: 'POST', url: `/v1/referrals/${made.json().id}/withdraw`, headers: counsellor.headers })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { id: made.json().id, status: 'withdrawn' })
  })

  await t.test('an idempotent replay answers ids and status only, and the whole answer while the consent lasts', async (t) => {
    const { yp, withdraw } = await setUp()
    const note = { category: 'pathway', body: 'Worried about rent arrears' }
    const referral = { youngPersonId: yp.id, toAgencyId: housing.id, reason: 'Rent arrears', categories: ['pathway'] }
    const goal = { title: 'Keep the flat' }
    const calls = [
      [`/v1/young-persons/${yp.id}/notes`, note, 'note-1'],
      ['/v1/referrals', referral, 'ref-2'],
      [`/v1/young-persons/${yp.id}/goals`, goal, 'goal-1'],
    ] as const
    const first = []
    for (const [url, payload, key] of calls) {
      const res = await post(url, payload, key)
      t.equal(res.statusCode, 201, url)
      t.same((await post(url, payload, key)).json(), res.json(), `${url}: replayed whole while the consent lasts`)
      first.push(res.json())
    }
    t.equal((await withdraw()).statusCode, 200)
    const replays = []
    for (const [url, payload, key] of calls) {
      const res = await post(url, payload, key)
      t.equal(res.statusCode, 201)
      t.equal(res.headers['idempotent-replayed'], 'true')
      t.notOk('etag' in res.headers, 'no version of a record the caller cannot read')
      replays.push(res.json())
    }
    t.same(replays, [{ id: first[0].id }, { id: first[1].id, status: first[1].status }, { id: first[2].id, status: first[2].status }])
    t.notMatch(JSON.stringify(replays), /rent|Keep the flat|Aada/i)
  })

  await t.test('an intake replayed after its consent was withdrawn names no one', async (t) => {
    const payload = {
      givenName: 'Ville',
      familyName: 'Testinen',
      birthDate: '2004-03-01',
      subject: 'yp-replay-intake',
      consent: { grantee: { professionalId: counsellor.id }, categories: ['identity', 'pathway'], actions: ['read'], purpose: 'Job search', evidence: 'FORM-1' },
    }
    const first = await post('/v1/young-persons', payload, 'intake-1')
    t.equal(first.statusCode, 201)
    const consentId = first.json().consent.id
    const revoke = await app.inject({ method: 'POST', url: `/v1/consents/${consentId}/revoke`, headers: counsellor.headers, payload: {} })
    t.equal(revoke.statusCode, 200)
    const again = await post('/v1/young-persons', payload, 'intake-1')
    t.equal(again.statusCode, 201)
    t.same(again.json(), { id: first.json().id })
  })
})
