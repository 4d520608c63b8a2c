// Nobody widens their own access: an in-person consent never covers the professional who records it.
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build } from '../helper.js'

const SELF_GRANT =
  'A consent you record in person may not cover you, your agency or your role: ask the young person (a consent request), or have another professional record their consent'

async function consentCount(app: FastifyInstance, youngPersonId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(app.database.db, sql`select count(*)::int as n from consents where young_person_id = ${youngPersonId}`)
  return row!.n
}

t.test('an in-person consent is recorded for someone else only', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const employment = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const intakeAgency = await createAgency(app, admin, { name: 'Ohjaamo', kind: 'youth_work' })
  const intaker = await createProfessional(app, admin, { agencyId: intakeAgency.id, role: 'outreach_worker', displayName: 'Iida Intake' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse', displayName: 'Nina Nurse' })
  const psychologist = await createProfessional(app, admin, { agencyId: health.id, role: 'psychologist', displayName: 'Pekka Psychologist' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor', displayName: 'Kaisa Counsellor' })
  const yp = await createYoungPerson(app, intaker, { withAccount: true })
  await grantConsent(app, yp, { grantee: { professionalId: nurse.id }, categories: ['pathway'], actions: ['read'] })
  await grantConsent(app, yp, { grantee: { professionalId: counsellor.id }, categories: ['pathway'], actions: ['read', 'write'] })
  const record = (by: typeof nurse, grantee: object, categories = ['identity', 'health', 'psychological', 'finance'], actions = ['read', 'write']) =>
    app.inject({
      method: 'POST',
      url: `/v1/young-persons/${yp.id}/consents`,
      headers: by.headers,
      payload: { grantee, categories, actions, purpose: 'Everything, please', evidence: 'verbal' },
    })

  await t.test('a nurse holding pathway read cannot record special categories for herself, her agency or her role', async (t) => {
    const before = await consentCount(app, yp.id)
    for (const grantee of [{ professionalId: nurse.id }, { agencyId: health.id }, { agencyId: health.id, role: 'nurse' }]) {
      const res = await record(nurse, grantee)
      t.equal(res.statusCode, 403, JSON.stringify(grantee))
      t.match(res.headers['content-type'], /^application\/problem\+json/)
      t.match(res.json(), { status: 403, code: 'POLKU_FORBIDDEN', detail: SELF_GRANT })
    }
    t.equal(await consentCount(app, yp.id), before, 'nothing was written')
    const read = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })
    t.same(read.json().categories, ['pathway'], 'she still reads pathway only')
    t.notOk('givenName' in read.json(), 'and no identity field')
  })

  await t.test('a youth counsellor cannot record psychological write for himself, nor then write a psychological note', async (t) => {
    t.equal((await record(counsellor, { professionalId: counsellor.id }, ['psychological'], ['write'])).statusCode, 403)
    const note = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/notes`, headers: counsellor.headers, payload: { category: 'psychological', body: 'Session notes' } })
    t.equal(note.statusCode, 403)
  })

  await t.test('every refusal is in the young person’s access log, with who tried', async (t) => {
    const log = await app.inject({ url: '/v1/me/access-log?limit=100', headers: yp.actor!.headers })
    t.equal(log.statusCode, 200)
    const refused = log.json().items.filter((e: { action: string; outcome: string }) => e.action === 'grant' && e.outcome === 'denied')
    t.same(
      refused.map((e: { actor: { name: string }; resourceType: string }) => [e.actor.name, e.resourceType]),
      [['Kaisa Counsellor', 'Consent'], ['Nina Nurse', 'Consent'], ['Nina Nurse', 'Consent'], ['Nina Nurse', 'Consent']],
    )
  })

  await t.test('she may record a consent given in person for a colleague in another role, who then reads it', async (t) => {
    const res = await record(nurse, { professionalId: psychologist.id }, ['psychological'], ['read'])
    t.equal(res.statusCode, 201)
    t.match(res.json(), {
      method: 'in_person',
      evidence: 'verbal',
      recordedBy: { kind: 'professional', professionalId: nurse.id, name: 'Nina Nurse' },
      receipt: { recordedBy: { kind: 'professional', professionalId: nurse.id, name: 'Nina Nurse' } },
    })
    t.equal((await record(nurse, { agencyId: health.id, role: 'psychologist' }, ['psychological'], ['read'])).statusCode, 201, 'or for another role of her agency')
    const read = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: psychologist.headers })
    t.same(read.json().categories, ['psychological'])
    const own = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })
    t.same(own.json().categories, ['pathway'], 'her own access did not grow')
  })

  await t.test('the intake’s first consent is the one exception', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/young-persons',
      headers: nurse.headers,
      payload: {
        givenName: 'Bea',
        familyName: 'Testinen',
        birthDate: '2006-02-01',
        consent: { grantee: { professionalId: nurse.id }, categories: ['identity', 'health'], actions: ['read'], purpose: 'Health check', evidence: 'FORM-9' },
      },
    })
    t.equal(res.statusCode, 201)
    t.match(res.json().consent, { recordedBy: { kind: 'professional', professionalId: nurse.id } })
  })

  await t.test('a refused attempt for a young person the caller cannot see stays not found', async (t) => {
    const stranger = await createProfessional(app, admin, { agencyId: employment.id, role: 'study_counsellor' })
    const res = await record(stranger, { professionalId: stranger.id })
    t.equal(res.statusCode, 404)
  })

  await t.test('a refused consent request is in the young person’s access log too', async (t) => {
    const outsider = await createProfessional(app, admin, { agencyId: employment.id, role: 'outreach_worker', displayName: 'Otto Outsider' })
    const asked = await app.inject({
      method: 'POST',
      url: `/v1/young-persons/${yp.id}/consent-requests`,
      headers: outsider.headers,
      payload: { grantee: { professionalId: outsider.id }, categories: ['health'], actions: ['read'], purpose: 'Just curious' },
    })
    t.equal(asked.statusCode, 404)
    const log = await app.inject({ url: '/v1/me/access-log?limit=100', headers: yp.actor!.headers })
    t.match(log.json().items[0], { action: 'request', resourceType: 'ConsentRequest', outcome: 'denied', actor: { name: 'Otto Outsider' } })
  })

  await t.test('the young person sees who recorded each consent, with its evidence, in /v1/me/consents and the export', async (t) => {
    const list = await app.inject({ url: '/v1/me/consents?limit=100', headers: yp.actor!.headers })
    const recorders = list.json().items.map((c: { method: string; evidence: string | null; recordedBy: { kind: string; name: string | null } }) => [
      c.method,
      c.evidence,
      c.recordedBy.kind,
      c.recordedBy.name,
    ])
    t.same(recorders, [
      ['in_person', 'verbal', 'professional', 'Nina Nurse'],
      ['in_person', 'verbal', 'professional', 'Nina Nurse'],
      ['digital', null, 'young_person', null],
      ['digital', null, 'young_person', null],
      ['in_person', 'FORM-2026-001', 'professional', 'Iida Intake'],
    ])
    const exported = await app.inject({ url: '/v1/me/export', headers: yp.actor!.headers })
    t.same(
      exported.json().consents.map((c: { recordedBy: unknown }) => c.recordedBy),
      list.json().items.map((c: { recordedBy: unknown }) => c.recordedBy),
    )
  })
})
