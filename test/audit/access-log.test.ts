// A young person sees who accessed or tried to access their data, under which consent; not their own accesses.
import t from 'tap'
import { createAdmin, createAgency, createAuditor, createProfessional } from '../factories.js'
import { build } from '../helper.js'
import { audit, insertConsent, insertYoungPerson, pause, principalOf, read } from './fixtures.js'

t.test("the young person's access log", async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const social = await createAgency(app, admin, { name: 'Social services', kind: 'social_services' })
  const nurseActor = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse', displayName: 'Laura Nurse' })
  const workerActor = await createProfessional(app, admin, { agencyId: social.id, role: 'social_worker', displayName: 'Mikko Worker' })
  const nurse = await principalOf(app, nurseActor.subject)
  const worker = await principalOf(app, workerActor.subject)
  const aada = await insertYoungPerson(app, 'Aada')
  const bea = await insertYoungPerson(app, 'Bea')
  const self = await principalOf(app, aada.subject)
  const consentId = await insertConsent(app, aada, { professionalId: nurseActor.id }, ['health'])

  await audit(app, nurse, [read(aada.id, { category: 'health', consentIds: [consentId] })])
  await pause(5)
  await audit(app, self, [read(aada.id, { category: 'health' })])
  await pause(5)
  await audit(app, worker, [read(aada.id, { category: 'health', outcome: 'denied' })])
  await pause(5)
  await audit(app, nurse, [read(bea.id, { category: 'health' })])

  const nurseRead = {
    actor: { kind: 'professional', role: 'nurse', agencyName: 'Youth health', name: 'Laura Nurse' },
    action: 'read',
    category: 'health',
    resourceType: 'Note',
    consentIds: [consentId],
    outcome: 'allowed',
  }
  const deniedAttempt = {
    actor: { kind: 'professional', role: 'social_worker', agencyName: 'Social services', name: 'Mikko Worker' },
    action: 'read',
    category: 'health',
    resourceType: 'Note',
    consentIds: [],
    outcome: 'denied',
  }
  const strip = ({ id, occurredAt, ...rest }: { id: string; occurredAt: string }) => {
    if (!/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(Date.parse(occurredAt))) throw new Error('bad id or time')
    return rest
  }

  t.test("shows a nurse's read with its consent and a denied attempt, newest first, without the young person's own access", async (t) => {
    const res = await app.inject({ url: '/v1/me/access-log', headers: aada.headers })
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.equal(body.nextCursor, null)
    t.same(body.items.map(strip), [deniedAttempt, nurseRead])
  })

  t.test('pages newest first with a cursor', async (t) => {
    const first = await app.inject({ url: '/v1/me/access-log?limit=1', headers: aada.headers })
    t.same(first.json().items.map(strip), [deniedAttempt])
    t.match(first.headers.link, /rel="next"/)
    const second = await app.inject({ url: `/v1/me/access-log?limit=1&cursor=${first.json().nextCursor}`, headers: aada.headers })
    t.same(second.json(), { items: [second.json().items[0]], nextCursor: null })
    t.same(second.json().items.map(strip), [nurseRead])
  })

  t.test('an auditor reading the trail shows up in it', async (t) => {
    const auditor = await createAuditor(app)
    const listed = await app.inject({ url: `/v1/audit/events?youngPersonId=${aada.id}&limit=1`, headers: auditor.headers })
    t.equal(listed.statusCode, 200)
    const [newest] = (await app.inject({ url: '/v1/me/access-log?limit=1', headers: aada.headers })).json().items
    t.same(strip(newest), {
      actor: { kind: 'auditor', role: null, agencyName: null, name: null },
      action: 'read',
      category: null,
      resourceType: 'AuditEvent',
      consentIds: [],
      outcome: 'allowed',
    })
  })

  t.test("another young person sees only accesses to their own data", async (t) => {
    const res = await app.inject({ url: '/v1/me/access-log', headers: bea.headers })
    t.same(res.json().items.map(strip), [{ ...nurseRead, consentIds: [] }])
  })

  t.test('only young persons have an access log', async (t) => {
    for (const caller of [nurseActor, admin]) {
      const res = await app.inject({ url: '/v1/me/access-log', headers: caller.headers })
      t.equal(res.statusCode, 403)
      t.match(res.json(), { status: 403, code: 'POLKU_FORBIDDEN', detail: 'These routes are for young persons signed in with their own account' })
    }
  })
})

t.test('names are left out when the service is configured so', async (t) => {
  const app = await build(t, { config: { accessLogShowsNames: false } })
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const nurseActor = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse', displayName: 'Laura Nurse' })
  const aada = await insertYoungPerson(app)
  await audit(app, await principalOf(app, nurseActor.subject), [read(aada.id, { category: 'health' })])
  const res = await app.inject({ url: '/v1/me/access-log', headers: aada.headers })
  t.equal(res.statusCode, 200)
  t.same(res.json().items[0].actor, { kind: 'professional', role: 'nurse', agencyName: 'Youth health', name: null })
  t.notMatch(res.body, /Laura/)
})
