// The lists re-check a remembered caller in the statement that travels with their read: every change to the account counts at once.
import { sql } from 'drizzle-orm'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test as Tap } from 'tap'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson, grantConsent, type ProfessionalActor } from '../factories.js'
import { build } from '../helper.js'
import { refer } from '../referrals/fixtures.js'

type Headers = { authorization: string }

const list = (app: FastifyInstance, url: string, headers: Headers) => app.inject({ url, headers })
const ids = (res: LightMyRequestResponse) => (res.json().items as { id: string }[]).map((i) => i.id)

/** The 401 a caller whose account is gone gets: the token is refused, and nothing of a list is in it. */
function refusedAsGone(t: Tap, res: LightMyRequestResponse): void {
  t.equal(res.statusCode, 401, '401')
  t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"')
  t.notOk('items' in res.json(), 'no list in the answer')
}

/** The list events (action, resource type) written for `resourceIds`, oldest first, with the role they name. */
const listEvents = (app: FastifyInstance, resourceType: string, resourceIds: string[]) =>
  queryRows<{ resource_id: string; actor_role: string | null }>(
    app.database.db,
    sql`select resource_id, actor_role from audit_events
        where action = 'list' and resource_type = ${resourceType} and resource_id = any(${`{${resourceIds.join(',')}}`}::text[]) order by occurred_at, seq`,
  )

const deactivate = (app: FastifyInstance, admin: Headers, professionalId: string) =>
  app.inject({ method: 'POST', url: `/v1/professionals/${professionalId}/deactivate`, headers: admin })

const changeRole = (app: FastifyInstance, professionalId: string, role: string) =>
  queryRows(app.database.db, sql`update professionals set role = ${role} where id = ${professionalId}`)

t.test('a remembered professional listing referrals', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const employment = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor' })
  // A referral is pending (not awaiting consent) only while someone in the addressed role is there to receive it.
  for (const role of ['nurse', 'psychologist']) await createProfessional(app, admin, { agencyId: health.id, role })
  /** A pending referral to the health agency, for a young person who consented to `role` there (not to anyone by name). */
  const referralFor = async (role: string) => {
    const yp = await createYoungPerson(app, counsellor, { withAccount: true })
    await grantConsent(app, yp, { grantee: { agencyId: health.id, role }, categories: ['pathway', 'health'], actions: ['read'] })
    const res = await refer(app, counsellor, { youngPersonId: yp.id, toAgencyId: health.id, toRole: role })
    if (res.statusCode !== 201 || res.json().status !== 'pending') throw new Error(`referral: ${res.statusCode} ${res.body}`)
    return res.json().id as string
  }
  const forNurses = await referralFor('nurse')
  const forPsychologists = await referralFor('psychologist')
  const referrals = (who: ProfessionalActor) => list(app, '/v1/referrals', who.headers)

  await t.test('after a role change the very next list holds only what the new role is given, audited under it', async (t) => {
    const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
    t.same(ids(await referrals(nurse)), [forNurses], 'the nurse sees the referral for nurses')
    t.same(ids(await referrals(nurse)), [forNurses], 'and again, as the caller remembered')
    await changeRole(app, nurse.id, 'psychologist')
    const after = await referrals(nurse)
    t.equal(after.statusCode, 200)
    t.same(ids(after), [forPsychologists], 'as a psychologist she sees the referral for psychologists, not the one for nurses')
    t.same(
      (await listEvents(app, 'Referral', [forNurses, forPsychologists])).map((e) => [e.resource_id, e.actor_role]),
      [
        [forNurses, 'nurse'],
        [forNurses, 'nurse'],
        [forPsychologists, 'psychologist'],
      ],
      'one event per referral shown, under the role the caller had when the list was read',
    )
  })

  await t.test('a deactivated professional gets 401 on the very next list, and nothing is written for it', async (t) => {
    const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
    const before = (await listEvents(app, 'Referral', [forNurses, forPsychologists])).length
    t.same(ids(await referrals(nurse)), [forNurses])
    t.equal((await deactivate(app, admin.headers, nurse.id)).statusCode, 200)
    refusedAsGone(t, await referrals(nurse))
    t.equal((await listEvents(app, 'Referral', [forNurses, forPsychologists])).length, before + 1, 'only the first list was audited')
  })
})

t.test('a remembered professional listing their consent requests', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const colleague = await createProfessional(app, admin, { agencyId: health.id, role: 'psychologist' })
  /** A consent request `by` asks of a young person who consented to them in person. */
  const requestBy = async (by: ProfessionalActor) => {
    const yp = await createYoungPerson(app, by)
    const res = await app.inject({
      method: 'POST',
      url: `/v1/young-persons/${yp.id}/consent-requests`,
      headers: by.headers,
      payload: { grantee: { professionalId: colleague.id }, categories: ['health'], actions: ['read'], purpose: 'Shared follow-up' },
    })
    if (res.statusCode !== 201) throw new Error(`consent request: ${res.statusCode} ${res.body}`)
    return res.json().id as string
  }
  const requests = (who: ProfessionalActor) => list(app, '/v1/consent-requests', who.headers)

  await t.test('after a role change the very next list is audited under the new role', async (t) => {
    const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
    const asked = await requestBy(nurse)
    t.same(ids(await requests(nurse)), [asked], 'the nurse sees the request she asked')
    t.same(ids(await requests(nurse)), [asked], 'and again, as the caller remembered')
    await changeRole(app, nurse.id, 'social_worker')
    const after = await requests(nurse)
    t.equal(after.statusCode, 200)
    // Who asked is what shows a request to a professional, not their role: the request stays.
    t.same(ids(after), [asked], 'the request she asked is still hers')
    t.same(
      (await listEvents(app, 'ConsentRequest', [asked])).map((e) => e.actor_role),
      ['nurse', 'nurse', 'social_worker'],
      'one event per list, each under the role the caller had when it was read',
    )
  })

  await t.test('a deactivated professional gets 401 on the very next list, and nothing is written for it', async (t) => {
    const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
    const asked = await requestBy(nurse)
    t.same(ids(await requests(nurse)), [asked])
    t.equal((await deactivate(app, admin.headers, nurse.id)).statusCode, 200)
    refusedAsGone(t, await requests(nurse))
    t.equal((await listEvents(app, 'ConsentRequest', [asked])).length, 1, 'only the first list was audited')
  })
})

t.test('a remembered caller reading the access log', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
  const accessLog = (headers: Headers) => list(app, '/v1/me/access-log', headers)
  const logReads = async (youngPersonId: string) =>
    (
      await queryRows<{ n: number }>(
        app.database.db,
        sql`select count(*)::int as n from audit_events where action = 'read' and resource_type = 'AccessLog' and young_person_id = ${youngPersonId}`,
      )
    )[0]!.n
  /** A young person with an account whose log holds the nurse's intake and a read by her. */
  const youngPerson = async () => {
    const yp = await createYoungPerson(app, nurse, { withAccount: true })
    if ((await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })).statusCode !== 200) throw new Error('the nurse cannot read')
    const first = await accessLog(yp.actor!.headers)
    if (first.statusCode !== 200 || first.json().items.length === 0) throw new Error(`access log: ${first.statusCode} ${first.body}`)
    return yp
  }

  await t.test("a young person's account deactivated: 401 on the very next call, nothing written", async (t) => {
    const yp = await youngPerson()
    t.equal((await accessLog(yp.actor!.headers)).statusCode, 200, 'again, as the caller remembered')
    t.equal(await logReads(yp.id), 2)
    await queryRows(app.database.db, sql`update accounts set active = false where subject = ${yp.actor!.subject}`)
    refusedAsGone(t, await accessLog(yp.actor!.headers))
    t.equal(await logReads(yp.id), 2, 'no event for the refused call')
  })

  await t.test('a young person unlinked from their account: 401 on the very next call, nothing written', async (t) => {
    const yp = await youngPerson()
    t.equal((await accessLog(yp.actor!.headers)).statusCode, 200, 'again, as the caller remembered')
    await queryRows(app.database.db, sql`update young_persons set account_id = null where id = ${yp.id}`)
    refusedAsGone(t, await accessLog(yp.actor!.headers))
    t.equal(await logReads(yp.id), 2, 'no event for the refused call')
  })

  await t.test('a professional has no access log: 403, twice, as looked up and as remembered', async (t) => {
    const other = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
    const first = await accessLog(other.headers)
    t.equal(first.statusCode, 403)
    t.notOk('items' in first.json())
    t.equal((await accessLog(other.headers)).statusCode, 403)
  })

  await t.test('a professional remembered, then deactivated, gets 401, not 403', async (t) => {
    const other = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
    t.equal((await accessLog(other.headers)).statusCode, 403, 'the first call remembers the caller')
    t.equal((await deactivate(app, admin.headers, other.id)).statusCode, 200)
    refusedAsGone(t, await accessLog(other.headers))
  })
})

t.test('a remembered professional reading one young person', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const employment = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor' })
  const yp = await createYoungPerson(app, counsellor, { categories: ['identity', 'pathway', 'health'], withAccount: true })
  // Only the nurses at the health agency are given the young person's pathway and health, by role, not by name.
  await grantConsent(app, yp, { grantee: { agencyId: health.id, role: 'nurse' }, categories: ['pathway', 'health'], actions: ['read'] })
  const created = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: counsellor.headers, payload })
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
    return res.json().id as string
  }
  const goalId = await created(`/v1/young-persons/${yp.id}/goals`, { title: 'Sleep better before exams', category: 'health' })
  await created(`/v1/young-persons/${yp.id}/notes`, { category: 'health', body: 'Sleeps badly in exam weeks' })
  /** Each read, the event it writes, and a text only its answer holds. */
  const reads = [
    { url: `/v1/young-persons/${yp.id}/notes`, action: 'list', resourceType: 'Note', shows: 'Sleeps badly in exam weeks' },
    { url: `/v1/goals/${goalId}`, action: 'read', resourceType: 'Goal', shows: 'Sleep better before exams' },
  ]
  /** The events written for the professional's own account, oldest first. */
  const eventsBy = (professionalId: string) =>
    queryRows<{ action: string; resource_type: string; outcome: string; actor_role: string | null; young_person_id: string | null }>(
      app.database.db,
      sql`select action, resource_type, outcome, actor_role, young_person_id from audit_events
          where actor_account_id = (select account_id from professionals where id = ${professionalId}) order by occurred_at, seq`,
    )

  for (const read of reads) {
    await t.test(`${read.url.replace(/[0-9a-f-]{36}/, '{id}')}: after a role change the very next read is refused, audited under the new role`, async (t) => {
      const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
      const first = await app.inject({ url: read.url, headers: nurse.headers })
      t.equal(first.statusCode, 200, 'the nurse reads, and is remembered')
      t.ok(first.body.includes(read.shows), 'the nurse is shown the record')
      await changeRole(app, nurse.id, 'psychologist')
      const after = await app.inject({ url: read.url, headers: nurse.headers })
      t.equal(after.statusCode, 404, 'only nurses were given consent: as a psychologist the young person does not exist for her')
      t.notOk(after.body.includes(read.shows), 'nothing of the record in the answer')
      t.same(
        (await eventsBy(nurse.id)).map((e) => [e.action, e.resource_type, e.outcome, e.actor_role, e.young_person_id]),
        [
          [read.action, read.resourceType, 'allowed', 'nurse', yp.id],
          [read.action, read.resourceType, 'denied', 'psychologist', yp.id],
        ],
        'the read as a nurse, then the refusal under the role she has now',
      )
    })

    await t.test(`${read.url.replace(/[0-9a-f-]{36}/, '{id}')}: a deactivated professional gets 401 on the very next read, and nothing is written for it`, async (t) => {
      const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
      const first = await app.inject({ url: read.url, headers: nurse.headers })
      t.equal(first.statusCode, 200, 'the nurse reads, and is remembered')
      t.equal((await deactivate(app, admin.headers, nurse.id)).statusCode, 200)
      const after = await app.inject({ url: read.url, headers: nurse.headers })
      refusedAsGone(t, after)
      t.notOk(after.body.includes(read.shows), 'nothing of the record in the answer')
      t.same(
        (await eventsBy(nurse.id)).map((e) => [e.action, e.resource_type, e.outcome]),
        [[read.action, read.resourceType, 'allowed']],
        'only the first read was audited',
      )
    })
  }
})
