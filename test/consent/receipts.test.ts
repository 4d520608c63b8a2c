// Consent receipts (ISO/IEC TS 27560 fields) and data minimisation: special categories are never implied.
import { subject } from '@casl/ability'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { defineAbilityFor, loadHeldConsents } from '../../src/authz/index.js'
import { accessibleWhere } from '../../src/authz/sql.js'
import type { Principal } from '../../src/auth/principal.js'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build } from '../helper.js'

const DAY_MS = 24 * 3600 * 1000
const NON_SPECIAL = ['identity', 'pathway', 'education', 'employment', 'social', 'housing', 'finance']

t.test('consent receipts and special categories', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health centre', kind: 'health_services' })
  const employment = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor', displayName: 'Kaisa Counsellor' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse', displayName: 'Nelli Nurse' })

  await t.test('intake returns an in-person receipt with every ISO/IEC TS 27560 field', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/young-persons',
      headers: counsellor.headers,
      payload: {
        givenName: 'Aada',
        familyName: 'Testinen',
        birthDate: '2005-04-01',
        consent: { grantee: { professionalId: counsellor.id }, categories: ['identity', 'employment'], actions: ['read', 'write'], purpose: 'Finding a first job', evidence: 'FORM-2026-017' },
      },
    })
    t.equal(res.statusCode, 201)
    const { id, consent } = res.json()
    const { receipt } = consent
    t.same(receipt, {
      schema: 'ISO/IEC TS 27560:2023',
      recordId: consent.id,
      dataSubject: { id },
      controller: { name: 'Polku guidance centre' },
      recipient: { type: 'professional', id: counsellor.id, name: 'Kaisa Counsellor', role: null },
      purpose: 'Finding a first job',
      categories: ['identity', 'employment'],
      specialCategories: [],
      actions: ['read', 'write'],
      method: 'in_person',
      evidence: 'FORM-2026-017',
      recordedBy: { kind: 'professional', professionalId: counsellor.id, name: 'Kaisa Counsellor' },
      validFrom: consent.validFrom,
      validUntil: consent.validUntil,
      createdAt: consent.createdAt,
      withdrawal: `You can withdraw this consent at any time, without giving a reason: POST /v1/consents/${consent.id}/revoke, or ask any professional who works with you.`,
      plainLanguage: `You allow Kaisa Counsellor to read and write your identity, employment information until ${consent.validUntil.slice(0, 10)}, for this purpose: Finding a first job. Kaisa Counsellor recorded it as given in person (evidence: FORM-2026-017). You can withdraw this at any time.`,
    })
    const days = (Date.parse(consent.validUntil) - Date.parse(consent.validFrom)) / DAY_MS
    t.ok(Math.abs(days - app.config.consentDefaultDays) < 0.01, `valid for the configured default (${days.toFixed(3)} days)`)
    const again = await app.inject({ url: `/v1/consents/${consent.id}`, headers: counsellor.headers })
    t.same(again.json().receipt, receipt, 'the receipt read later is the one given at grant time')
  })

  await t.test('a digital grant to an agency role names the special categories explicitly', async (t) => {
    const yp = await createYoungPerson(app, counsellor, { withAccount: true })
    const res = await app.inject({
      method: 'POST',
      url: `/v1/young-persons/${yp.id}/consents`,
      headers: yp.actor!.headers,
      payload: { grantee: { agencyId: health.id, role: 'nurse' }, categories: ['health', 'pathway'], actions: ['read'], purpose: 'Health check before training' },
    })
    t.equal(res.statusCode, 201)
    const consent = res.json()
    t.match(consent, { status: 'active', method: 'digital', evidence: null, grantee: { agencyId: health.id, role: 'nurse', professionalId: null, name: 'Youth health centre' } })
    t.match(consent.receipt, {
      recordId: consent.id,
      dataSubject: { id: yp.id },
      recipient: { type: 'agency', id: health.id, name: 'Youth health centre', role: 'nurse' },
      categories: ['health', 'pathway'],
      specialCategories: ['health'],
      actions: ['read'],
      method: 'digital',
      evidence: null,
    })
    t.match(consent.receipt.plainLanguage, /^You allow Youth health centre \(nurse only\) to read your health, pathway information until \d{4}-\d{2}-\d{2}, for this purpose: Health check before training\./)
  })

  await t.test('validity is bounded: never in the past, never beyond the configured maximum', async (t) => {
    const yp = await createYoungPerson(app, counsellor, { withAccount: true })
    const grant = { grantee: { professionalId: nurse.id }, categories: ['health'], actions: ['read'], purpose: 'Health check' }
    const past = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/consents`, headers: yp.actor!.headers, payload: { ...grant, validUntil: '2020-01-01T00:00:00Z' } })
    t.equal(past.statusCode, 422)
    const tooLong = new Date(Date.now() + (app.config.consentMaxDays + 1) * DAY_MS).toISOString()
    const far = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/consents`, headers: yp.actor!.headers, payload: { ...grant, validUntil: tooLong } })
    t.equal(far.statusCode, 422)
    t.match(far.json(), { detail: `validUntil may be at most ${app.config.consentMaxDays} days from now` })
  })

  await t.test('an approved request grants exactly what was asked, with a digital receipt', async (t) => {
    const yp = await createYoungPerson(app, counsellor, { withAccount: true })
    const asked = await app.inject({
      method: 'POST',
      url: `/v1/young-persons/${yp.id}/consent-requests`,
      headers: counsellor.headers,
      payload: { grantee: { professionalId: nurse.id }, categories: ['pathway'], actions: ['read'], purpose: 'Coordinating a health check' },
    })
    t.equal(asked.statusCode, 201)
    const approved = await app.inject({ method: 'POST', url: `/v1/consent-requests/${asked.json().id}/approve`, headers: yp.actor!.headers, payload: {} })
    t.equal(approved.statusCode, 200)
    const consentId = approved.json().consentId
    const consent = (await app.inject({ url: `/v1/consents/${consentId}`, headers: yp.actor!.headers })).json()
    t.same([consent.categories, consent.receipt.specialCategories, consent.method], [['pathway'], [], 'digital'])
  })

  await t.test('every non-special category together still gives no health or psychological data', async (t) => {
    const yp = await createYoungPerson(app, counsellor, { categories: NON_SPECIAL, actions: ['read', 'write'] })
    const seen = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: counsellor.headers })
    t.same(seen.json().categories, [...NON_SPECIAL].sort())

    // Notes are written directly: whoever may write health notes, the counsellor must not read them.
    await app.database.db.execute(
      sql`insert into notes (young_person_id, category, body, author_professional_id) values
        (${yp.id}, 'health', 'Asthma medication', ${nurse.id}), (${yp.id}, 'psychological', 'Anxiety', ${nurse.id}), (${yp.id}, 'pathway', 'CV workshop', ${counsellor.id})`,
    )
    const [account] = await queryRows<{ account_id: string }>(app.database.db, sql`select account_id from professionals where id = ${counsellor.id}`)
    const principal: Principal = { kind: 'professional', accountId: account!.account_id, professionalId: counsellor.id, agencyId: employment.id, role: 'youth_counsellor', displayName: 'Kaisa Counsellor' }
    const { allowedBySql, held } = await app.database.transaction(async (tx) => {
      const held = await loadHeldConsents(tx, principal, yp.id)
      const where = accessibleWhere(defineAbilityFor(principal, held), principal, 'read', 'Note')
      const rows = await queryRows<{ category: string }>(tx, sql`select category from notes where young_person_id = ${yp.id} and ${where} order by category`)
      return { allowedBySql: rows.map((r) => r.category), held }
    })
    t.same(allowedBySql, ['pathway'], 'SQL selects only the pathway note')
    const ability = defineAbilityFor(principal, held)
    t.notOk(ability.can('read', subject('Note', { youngPersonId: yp.id, category: 'health' }) as never), 'ability.can denies health')
    t.notOk(ability.can('write', subject('Note', { youngPersonId: yp.id, category: 'psychological' }) as never), 'ability.can denies psychological')

    if (app.hasRoute({ method: 'GET', url: '/v1/young-persons/:id/notes' })) {
      const listed = await app.inject({ url: `/v1/young-persons/${yp.id}/notes`, headers: counsellor.headers })
      t.equal(listed.statusCode, 200)
      t.same(
        listed.json().items.map((n: { category: string }) => n.category),
        ['pathway'],
        'the notes route lists only the pathway note',
      )
    }
  })

  await t.test('identity fields need an identity consent, whatever else is granted', async (t) => {
    const yp = await createYoungPerson(app, nurse, { withAccount: true, categories: ['health', 'psychological'], actions: ['read', 'write'] })
    const nurseView = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })
    t.equal(nurseView.statusCode, 200)
    t.same(Object.keys(nurseView.json()).sort(), ['categories', 'createdAt', 'id'])
    t.same(nurseView.json().categories, ['health', 'psychological'])
    const caseload = (await app.inject({ url: '/v1/caseload', headers: nurse.headers })).json()
    t.match(
      caseload.items.find((i: { id: string }) => i.id === yp.id),
      { givenName: null, familyName: null, categories: ['health', 'psychological'] },
    )
    await grantConsent(app, yp, { grantee: { professionalId: nurse.id }, categories: ['identity'] })
    const named = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })
    t.match(named.json(), { givenName: 'Aada', familyName: 'Testinen', birthDate: '2005-04-01', categories: ['health', 'identity', 'psychological'] })
  })
})
