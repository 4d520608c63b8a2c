// Auditors read event metadata, filtered and paginated; the read itself lands in the young person's chain.
import t from 'tap'
import { principalId } from '../../src/auth/principal.js'
import { createAdmin, createAgency, createAuditor, createProfessional } from '../factories.js'
import { build } from '../helper.js'
import { audit, insertConsent, insertYoungPerson, pause, principalOf, read } from './fixtures.js'

const METADATA_FIELDS = [
  'action',
  'actorAccountId',
  'actorAgencyId',
  'actorKind',
  'actorName',
  'actorRole',
  'category',
  'chain',
  'consentIds',
  'hash',
  'id',
  'occurredAt',
  'outcome',
  'requestId',
  'resourceId',
  'resourceType',
  'seq',
  'youngPersonId',
]

t.test('auditors read audit metadata', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const auditor = await createAuditor(app)
  const agency = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const nurseActor = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse', displayName: 'Laura Nurse' })
  const workerActor = await createProfessional(app, admin, { agencyId: agency.id, role: 'social_worker' })
  const nurse = await principalOf(app, nurseActor.subject)
  const worker = await principalOf(app, workerActor.subject)
  const aada = await insertYoungPerson(app, 'Aada')
  const bea = await insertYoungPerson(app, 'Bea')
  const consentId = await insertConsent(app, aada, { professionalId: nurseActor.id }, ['health'])

  await audit(app, nurse, [read(aada.id, { category: 'health', consentIds: [consentId] })])
  await pause(5)
  await audit(app, worker, [read(aada.id, { category: 'health', outcome: 'denied' })])
  await pause(5)
  await audit(app, nurse, [read(bea.id, { resourceType: 'YoungPerson', category: 'identity', outcome: 'denied' })])
  const start = new Date()
  await pause(5)
  await audit(app, worker, [read(bea.id, { action: 'create', category: 'social' })])
  await pause(5)
  // Every auditor read below is itself recorded; `until` keeps the assertions to the accesses above.
  const until = `&to=${encodeURIComponent(new Date().toISOString())}`

  const list = (query = '') => app.inject({ url: `/v1/audit/events${query}`, headers: auditor.headers })

  t.test('events are metadata only, newest first', async (t) => {
    const res = await list()
    t.equal(res.statusCode, 200)
    const { items, nextCursor } = res.json()
    t.equal(nextCursor, null)
    t.same(
      items.map((e: { actorAccountId: string; youngPersonId: string; outcome: string }) => [e.actorAccountId, e.youngPersonId, e.outcome]),
      [
        [principalId(worker), bea.id, 'allowed'],
        [principalId(nurse), bea.id, 'denied'],
        [principalId(worker), aada.id, 'denied'],
        [principalId(nurse), aada.id, 'allowed'],
      ],
    )
    for (const item of items) t.same(Object.keys(item).sort(), METADATA_FIELDS)
    t.match(items[3], {
      chain: aada.id,
      seq: 1,
      actorKind: 'professional',
      actorRole: 'nurse',
      actorAgencyId: agency.id,
      actorName: 'Laura Nurse',
      action: 'read',
      resourceType: 'Note',
      category: 'health',
      consentIds: [consentId],
      outcome: 'allowed',
      hash: /^[0-9a-f]{64}$/,
    })
    t.notMatch(res.body, /Aada|Testinen|2005-04-01|aada@example/, 'no identity of the young person')
  })

  t.test('filters by actor, young person and time, and pages with a cursor', async (t) => {
    const byActor = (await list(`?actorAccountId=${principalId(nurse)}${until}`)).json().items
    t.same(byActor.map((e: { youngPersonId: string }) => e.youngPersonId), [bea.id, aada.id])
    const byPerson = (await list(`?youngPersonId=${bea.id}${until}`)).json().items
    t.same(byPerson.map((e: { category: string }) => e.category), ['social', 'identity'])
    const since = (await list(`?from=${encodeURIComponent(start.toISOString())}${until}`)).json().items
    t.same(since.map((e: { action: string }) => e.action), ['create'])
    const before = (await list(`?to=${encodeURIComponent(start.toISOString())}&youngPersonId=${aada.id}`)).json().items
    t.equal(before.length, 2)

    const first = await list(`?limit=2&youngPersonId=${aada.id}`)
    t.equal(first.json().items.length, 2)
    t.ok(first.json().nextCursor)
    t.match(first.headers.link, /rel="next"/)
    const second = (await list(`?limit=2&youngPersonId=${aada.id}&cursor=${first.json().nextCursor}`)).json()
    const seen = [...first.json().items, ...second.items].map((e: { id: string }) => e.id)
    t.equal(new Set(seen).size, seen.length, 'no event twice across pages')

    const backwards = await list(`?from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(start.toISOString())}`)
    t.equal(backwards.statusCode, 400)
    t.match(backwards.json(), { code: 'POLKU_BAD_REQUEST', detail: 'from must not be after to' })
    t.equal((await list('?cursor=nonsense')).statusCode, 400)
    t.equal((await list('?youngPersonId=not-a-uuid')).statusCode, 400)
  })

  t.test("the auditor's read is recorded in each young person's chain it showed", async (t) => {
    const res = await list(`?youngPersonId=${aada.id}&limit=1`)
    t.equal(res.statusCode, 200)
    const recorded = (await list(`?actorAccountId=${auditor.id}&youngPersonId=${aada.id}&limit=1`)).json().items
    t.match(recorded, [{ actorKind: 'auditor', action: 'read', resourceType: 'AuditEvent', youngPersonId: aada.id, outcome: 'allowed' }])
    const verify = await app.inject({ url: '/v1/audit/verify', headers: auditor.headers })
    t.match(verify.json(), { ok: true, firstBroken: null })
  })
})
