// The single read re-checks a remembered caller inside its own statement: every change to the account counts at once.
import { sql } from 'drizzle-orm'
import t from 'tap'
import { type Principal, principalStillHolds, resolvePrincipal } from '../../src/auth/principal.js'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createPartnerClient, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build } from '../helper.js'

t.test('a remembered professional on the single read', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const intake = await createAgency(app, admin, { name: 'Ohjaamo', kind: 'youth_work' })
  const intaker = await createProfessional(app, admin, { agencyId: intake.id, role: 'outreach_worker' })
  const read = (headers: { authorization: string }, id: string) => app.inject({ url: `/v1/young-persons/${id}`, headers })
  const events = (youngPersonId: string) =>
    queryRows<{ outcome: string; actor_role: string | null }>(
      app.database.db,
      sql`select outcome, actor_role from audit_events where young_person_id = ${youngPersonId} and action = 'read' and resource_type = 'YoungPerson' order by seq`,
    )

  await t.test('a role change ends what only the old role was given, on the very next read', async (t) => {
    const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse', displayName: 'Nina Nurse' })
    const yp = await createYoungPerson(app, intaker, { withAccount: true })
    await grantConsent(app, yp, { grantee: { agencyId: health.id, role: 'nurse' }, categories: ['pathway'], actions: ['read'] })
    t.equal((await read(nurse.headers, yp.id)).statusCode, 200, 'the nurse reads')
    t.equal((await read(nurse.headers, yp.id)).statusCode, 200, 'and again, as the caller remembered')
    await queryRows(app.database.db, sql`update professionals set role = 'psychologist' where id = ${nurse.id}`)
    t.equal((await read(nurse.headers, yp.id)).statusCode, 404, 'as a psychologist she holds no consent')
    t.same(
      (await events(yp.id)).map((e) => [e.outcome, e.actor_role]),
      [
        ['allowed', 'nurse'],
        ['allowed', 'nurse'],
        ['denied', 'psychologist'],
      ],
      'each read is audited once, under the role the caller had when it ran',
    )
  })

  await t.test('a deactivated professional is refused on the very next read, and nothing is written for it', async (t) => {
    const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
    const yp = await createYoungPerson(app, intaker, { withAccount: true })
    await grantConsent(app, yp, { grantee: { professionalId: nurse.id }, categories: ['pathway'], actions: ['read'] })
    t.equal((await read(nurse.headers, yp.id)).statusCode, 200)
    t.equal((await app.inject({ method: 'POST', url: `/v1/professionals/${nurse.id}/deactivate`, headers: admin.headers })).statusCode, 200)
    const after = await read(nurse.headers, yp.id)
    t.equal(after.statusCode, 401)
    t.equal(after.headers['www-authenticate'], 'Bearer error="invalid_token"')
    t.notMatch(after.body, /Bench|given|family/i, 'no data')
    t.equal((await events(yp.id)).length, 1, 'only the first read was audited')
  })

  await t.test('a changed name is the name the audit event records', async (t) => {
    const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse', displayName: 'Nina Nurse' })
    const yp = await createYoungPerson(app, intaker, { withAccount: true })
    await grantConsent(app, yp, { grantee: { professionalId: nurse.id }, categories: ['pathway'], actions: ['read'] })
    t.equal((await read(nurse.headers, yp.id)).statusCode, 200)
    await queryRows(app.database.db, sql`update professionals set display_name = 'Nina Married' where id = ${nurse.id}`)
    t.equal((await read(nurse.headers, yp.id)).statusCode, 200)
    const names = await queryRows<{ actor_name: string }>(app.database.db, sql`select actor_name from audit_events where young_person_id = ${yp.id} and action = 'read' order by seq`)
    t.same(
      names.map((n) => n.actor_name),
      ['Nina Nurse', 'Nina Married'],
    )
  })
})

t.test('a remembered professional withdrawing a consent', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const intake = await createAgency(app, admin, { name: 'Ohjaamo', kind: 'youth_work' })
  const intaker = await createProfessional(app, admin, { agencyId: intake.id, role: 'outreach_worker' })
  const revoke = (headers: { authorization: string }, id: string) => app.inject({ method: 'POST', url: `/v1/consents/${id}/revoke`, headers })
  const status = async (consentId: string) =>
    (await queryRows<{ revoked: boolean }>(app.database.db, sql`select revoked_at is not null as revoked from consents where id = ${consentId}`))[0]!.revoked
  const revokeEvents = (youngPersonId: string) =>
    queryRows<{ outcome: string; actor_role: string | null }>(
      app.database.db,
      sql`select outcome, actor_role from audit_events where young_person_id = ${youngPersonId} and action = 'revoke' order by seq`,
    )

  await t.test('after a role change it acts as the new role: what only the old role held is not theirs to withdraw', async (t) => {
    const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
    const yp = await createYoungPerson(app, intaker, { withAccount: true })
    const consent = await grantConsent(app, yp, { grantee: { agencyId: health.id, role: 'nurse' }, categories: ['pathway'], actions: ['read'] })
    t.equal((await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })).statusCode, 200, 'the nurse reads, and is remembered')
    await queryRows(app.database.db, sql`update professionals set role = 'psychologist' where id = ${nurse.id}`)
    t.equal((await revoke(nurse.headers, consent.id)).statusCode, 404, 'as a psychologist she holds no consent for this young person')
    t.equal(await status(consent.id), false, 'the consent stands')
    t.same(
      (await revokeEvents(yp.id)).map((e) => [e.outcome, e.actor_role]),
      [['denied', 'psychologist']],
      'one denied event, under the role she has now',
    )
  })

  await t.test('a deactivated professional is refused, and nothing is written', async (t) => {
    const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
    const yp = await createYoungPerson(app, intaker, { withAccount: true })
    const consent = await grantConsent(app, yp, { grantee: { professionalId: nurse.id }, categories: ['pathway'], actions: ['read'] })
    t.equal((await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })).statusCode, 200)
    t.equal((await app.inject({ method: 'POST', url: `/v1/professionals/${nurse.id}/deactivate`, headers: admin.headers })).statusCode, 200)
    t.equal((await revoke(nurse.headers, consent.id)).statusCode, 401)
    t.equal(await status(consent.id), false, 'the consent stands')
    t.same(await revokeEvents(yp.id), [], 'no event')
  })

  await t.test('while nothing changed, the remembered caller withdraws in the one statement', async (t) => {
    const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse', displayName: 'Nina Nurse' })
    const yp = await createYoungPerson(app, intaker, { withAccount: true })
    const consent = await grantConsent(app, yp, { grantee: { professionalId: nurse.id }, categories: ['pathway'], actions: ['read'] })
    t.equal((await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })).statusCode, 200)
    const res = await revoke(nurse.headers, consent.id)
    t.equal(res.statusCode, 200)
    t.match(res.json(), { id: consent.id, status: 'revoked' })
    t.equal(await status(consent.id), true)
    t.same(
      (await revokeEvents(yp.id)).map((e) => [e.outcome, e.actor_role]),
      [['allowed', 'nurse']],
    )
  })
})

t.test('a remembered caller reading a caseload', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const intake = await createAgency(app, admin, { name: 'Ohjaamo', kind: 'youth_work' })
  const intaker = await createProfessional(app, admin, { agencyId: intake.id, role: 'outreach_worker' })
  const caseload = (headers: { authorization: string }) => app.inject({ url: '/v1/caseload', headers })
  const listed = (youngPersonId: string) =>
    queryRows<{ n: number }>(app.database.db, sql`select count(*)::int as n from audit_events where young_person_id = ${youngPersonId} and action = 'list' and resource_type = 'YoungPerson'`)

  await t.test('after a role change the page holds only what the new role was given, on the very next request', async (t) => {
    const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
    const yp = await createYoungPerson(app, intaker, { withAccount: true })
    await grantConsent(app, yp, { grantee: { agencyId: health.id, role: 'nurse' }, categories: ['pathway'], actions: ['read'] })
    const before = await caseload(nurse.headers)
    t.same(before.json().items.map((i: { id: string }) => i.id), [yp.id], 'the nurse sees the young person')
    t.equal((await caseload(nurse.headers)).json().total, 1, 'and again, as the caller remembered')
    await queryRows(app.database.db, sql`update professionals set role = 'psychologist' where id = ${nurse.id}`)
    const after = await caseload(nurse.headers)
    t.equal(after.statusCode, 200)
    t.same([after.json().items, after.json().total], [[], 0], 'as a psychologist she holds no consent')
    t.equal((await listed(yp.id))[0]!.n, 2, 'only the two pages that showed the young person were audited')
  })

  await t.test('a deactivated account gets 401 on the very next page, whatever its kind, and nothing is written', async (t) => {
    const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
    const yp = await createYoungPerson(app, intaker, { withAccount: true })
    await grantConsent(app, yp, { grantee: { professionalId: nurse.id }, categories: ['pathway'], actions: ['read'] })
    t.equal((await caseload(nurse.headers)).statusCode, 200)
    const other = await createAdmin(app)
    t.equal((await caseload(other.headers)).statusCode, 403, 'an administrator has no caseload')
    await queryRows(app.database.db, sql`update accounts set active = false where subject in (${nurse.subject}, ${other.subject})`)
    t.equal((await caseload(nurse.headers)).statusCode, 401)
    t.equal((await caseload(other.headers)).statusCode, 401, 'not 403: the account is gone')
    t.equal((await listed(yp.id))[0]!.n, 1, 'only the first page was audited')
  })
})

t.test('the re-check holds for every kind of caller exactly while nothing about them changed', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
  const yp = await createYoungPerson(app, nurse, { withAccount: true })
  const client = await createPartnerClient(app, admin, { agencyId: health.id, scopes: ['pathway:read', 'visits:write'] })
  const holds = async (subject: string, scopes: string[], issuedAt: number, principal?: Principal | null) => {
    const current = principal ?? (await resolvePrincipal(app.database.db, subject, scopes, issuedAt))
    if (!current) throw new Error(`no principal for ${subject}`)
    const [row] = await queryRows<{ holds: boolean }>(app.database.db, sql`select ${principalStillHolds(current, { subject, scopes, issuedAt })} as holds`)
    return { holds: row!.holds, principal: current }
  }
  const now = Math.floor(Date.now() / 1000)
  const subjects = await queryRows<{ subject: string; kind: string }>(
    app.database.db,
    sql`select subject, kind from accounts where id in (select account_id from professionals where id = ${nurse.id}) or id in (select account_id from young_persons where id = ${yp.id}) or kind = 'admin'`,
  )
  for (const { subject, kind } of subjects) t.equal((await holds(subject, [], now)).holds, true, `a ${kind} holds`)

  const partner = `partner:${client.clientId}`
  const { holds: partnerHolds, principal } = await holds(partner, ['pathway:read', 'visits:write'], now)
  t.equal(partnerHolds, true, 'a partner system holds')
  t.equal((await holds(partner, ['pathway:read'], now)).holds, true, 'and with a token that carries fewer scopes')
  await queryRows(app.database.db, sql`update partner_clients set scopes = '{pathway:read}' where id = ${client.id}`)
  t.equal((await holds(partner, ['pathway:read', 'visits:write'], now, principal)).holds, false, 'a scope taken from the client ends the remembered principal')
  await queryRows(app.database.db, sql`update partner_clients set scopes = '{pathway:read,visits:write}', secret_rotated_at = now() + interval '1 minute' where id = ${client.id}`)
  t.equal((await holds(partner, ['pathway:read', 'visits:write'], now, principal)).holds, false, 'so does a secret rotated after the token was issued')
  const nurseSubject = subjects.find((s) => s.kind === 'professional')!.subject
  const { principal: asNurse } = await holds(nurseSubject, [], now)
  await queryRows(app.database.db, sql`update accounts set active = false where subject = ${nurseSubject}`)
  t.equal((await holds(nurseSubject, [], now, asNurse)).holds, false, 'and deactivation ends a professional')
})
