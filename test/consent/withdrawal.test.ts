// Withdrawal stays as easy as granting and reveals nothing: any holder records it, and everyone sees who did.
import t from 'tap'
import { createAdmin, createAgency, createPartnerClient, createProfessional, createYoungPerson, grantConsent, partnerHeaders } from '../factories.js'
import { build } from '../helper.js'

t.test('recording a withdrawal', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const social = await createAgency(app, admin, { name: 'Social services', kind: 'social_services' })
  const intakeAgency = await createAgency(app, admin, { name: 'Ohjaamo', kind: 'youth_work' })
  const intaker = await createProfessional(app, admin, { agencyId: intakeAgency.id, role: 'outreach_worker', displayName: 'Iida Intake' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse', displayName: 'Nina Nurse' })
  const worker = await createProfessional(app, admin, { agencyId: social.id, role: 'social_worker', displayName: 'Sami Social' })
  const stranger = await createProfessional(app, admin, { agencyId: social.id, role: 'study_counsellor', displayName: 'Stella Stranger' })
  const partner = await partnerHeaders(app, await createPartnerClient(app, admin, { agencyId: health.id, scopes: ['pathway:read'] }))

  const revoke = (headers: { authorization: string }, consentId: string) => app.inject({ method: 'POST', url: `/v1/consents/${consentId}/revoke`, headers, payload: {} })

  await t.test("a read-only social worker records the withdrawal of the nurse's consent and learns nothing about it", async (t) => {
    const yp = await createYoungPerson(app, intaker, { withAccount: true })
    const nurses = await grantConsent(app, yp, { grantee: { professionalId: nurse.id }, categories: ['health', 'pathway'], actions: ['read', 'write'], purpose: 'Health follow-up' })
    await grantConsent(app, yp, { grantee: { professionalId: worker.id }, categories: ['pathway'], actions: ['read'] })
    t.equal((await app.inject({ url: `/v1/consents/${nurses.id}`, headers: worker.headers })).statusCode, 404, 'he cannot read it')

    const res = await revoke(worker.headers, nurses.id)
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.same(Object.keys(body).sort(), ['id', 'revokedAt', 'status'], 'ids and status only: no grantee, purpose or evidence')
    t.match(body, { id: nurses.id, status: 'revoked' })
    t.ok(Date.parse(body.revokedAt) <= Date.now())

    t.equal((await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })).statusCode, 404, 'the nurse lost access at once')
    const mine = await app.inject({ url: `/v1/consents/${nurses.id}`, headers: yp.actor!.headers })
    t.match(mine.json(), { status: 'revoked', revokedBy: { kind: 'professional', professionalId: worker.id, name: 'Sami Social' } }, 'the young person sees who recorded it')
  })

  await t.test('a holder withdrawing a consent they read sees it whole while they still hold another', async (t) => {
    const yp = await createYoungPerson(app, intaker, { withAccount: true })
    await grantConsent(app, yp, { grantee: { agencyId: social.id }, categories: ['pathway'], actions: ['read'] })
    const own = await grantConsent(app, yp, { grantee: { professionalId: worker.id }, categories: ['housing'], actions: ['read'] })
    const res = await revoke(worker.headers, own.id)
    t.equal(res.statusCode, 200)
    t.match(res.json(), { id: own.id, status: 'revoked', categories: ['housing'], revokedBy: { kind: 'professional', professionalId: worker.id } })
  })

  await t.test('withdrawing their own last consent answers with ids and status only: the consent has ended', async (t) => {
    const yp = await createYoungPerson(app, intaker, { withAccount: true })
    const only = await grantConsent(app, yp, { grantee: { professionalId: nurse.id }, categories: ['pathway'], actions: ['read'] })
    const res = await revoke(nurse.headers, only.id)
    t.equal(res.statusCode, 200)
    t.same(Object.keys(res.json()).sort(), ['id', 'revokedAt', 'status'])
  })

  await t.test('the young person’s own withdrawal names them; nobody without a consent, and no partner system, records one', async (t) => {
    const yp = await createYoungPerson(app, intaker, { withAccount: true })
    const agencyWide = await grantConsent(app, yp, { grantee: { agencyId: health.id }, categories: ['pathway'], actions: ['read'] })
    t.equal((await revoke(stranger.headers, agencyWide.id)).statusCode, 404)
    t.equal((await revoke(partner, agencyWide.id)).statusCode, 404)
    const res = await revoke(yp.actor!.headers, agencyWide.id)
    t.equal(res.statusCode, 200)
    t.match(res.json(), { status: 'revoked', revokedBy: { kind: 'young_person', professionalId: null, name: null } })
    const list = await app.inject({ url: '/v1/me/consents?limit=100', headers: yp.actor!.headers })
    t.same(
      list.json().items.map((c: { status: string; revokedBy: unknown }) => [c.status, c.revokedBy]),
      [
        ['revoked', { kind: 'young_person', professionalId: null, name: null }],
        ['active', null],
      ],
    )
  })
})
