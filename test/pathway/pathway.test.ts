// The pathway, goals and steps: consent by category, ETag/If-Match on every change, the young person's and a partner's view.
import { count, eq } from 'drizzle-orm'
import t from 'tap'
import { DATA_CATEGORIES } from '../../src/config.js'
import { auditEvents, goals, steps } from '../../src/db/schema/index.js'
import { createAdmin, createAgency, createPartnerClient, createProfessional, createYoungPerson, grantConsent, partnerHeaders } from '../factories.js'
import { build } from '../helper.js'

t.test('pathway, goals and steps', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const employment = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor', displayName: 'Kaisa Ohjaaja' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
  const stranger = await createProfessional(app, admin, { agencyId: health.id, role: 'psychologist' })
  const yp = await createYoungPerson(app, counsellor, { categories: ['identity', 'pathway', 'employment'], withAccount: true })
  await grantConsent(app, yp, { grantee: { professionalId: nurse.id }, categories: ['pathway'], actions: ['read'] })

  const url = `/v1/young-persons/${yp.id}/pathway`
  const as = (who: { headers: Record<string, string> }, extra: Record<string, string> = {}) => ({ ...who.headers, ...extra })
  const countRows = async (table: typeof goals | typeof steps) => (await app.database.db.select({ n: count() }).from(table))[0]!.n

  let employmentGoal: { id: string; etag: string }
  let plainGoal: { id: string; etag: string }
  let step: { id: string; etag: string }

  await t.test('a pathway reads as active and empty until first written, version 0', async (t) => {
    const res = await app.inject({ url, headers: as(counsellor) })
    t.equal(res.statusCode, 200, res.body)
    const retention = {
      deletionDate: null,
      startsFrom: null,
      categories: DATA_CATEGORIES.map((category) => ({ category, deletionDate: null, erasedAt: null })),
      legalHold: false,
      erasedAt: null,
    }
    t.same(res.json(), { youngPersonId: yp.id, status: 'active', summary: '', version: 0, etag: `"${yp.id}:0"`, updatedAt: null, goals: [], closure: null, retention })
    t.equal(res.headers.etag, `"${yp.id}:0"`)
  })

  await t.test('status and summary change only with the current If-Match', async (t) => {
    const missing = await app.inject({ method: 'PATCH', url, headers: as(counsellor), payload: { status: 'paused' } })
    t.equal(missing.statusCode, 428)
    t.match(missing.json(), { status: 428, code: 'POLKU_PRECONDITION_REQUIRED' })

    const first = await app.inject({ method: 'PATCH', url, headers: as(counsellor, { 'if-match': `"${yp.id}:0"` }), payload: { status: 'paused', summary: 'Looking for a first job' } })
    t.equal(first.statusCode, 200, first.body)
    t.match(first.json(), { status: 'paused', summary: 'Looking for a first job', version: 1, etag: `"${yp.id}:1"` })
    t.equal(first.headers.etag, `"${yp.id}:1"`)

    const stale = await app.inject({ method: 'PATCH', url, headers: as(counsellor, { 'if-match': `"${yp.id}:0"` }), payload: { status: 'closed' } })
    t.equal(stale.statusCode, 412)
    t.match(stale.json(), { code: 'POLKU_PRECONDITION_FAILED' })

    const put = await app.inject({ method: 'PUT', url, headers: as(counsellor, { 'if-match': first.headers.etag as string }), payload: { status: 'active', summary: 'Job search and housing' } })
    t.equal(put.statusCode, 200, put.body)
    t.match(put.json(), { status: 'active', summary: 'Job search and housing', version: 2 })
    const partialPut = await app.inject({ method: 'PUT', url, headers: as(counsellor, { 'if-match': put.headers.etag as string }), payload: { status: 'active' } })
    t.equal(partialPut.statusCode, 400, 'PUT replaces both fields')
  })

  await t.test('read-only pathway consent cannot change the pathway: 403, and nothing changes', async (t) => {
    const res = await app.inject({ method: 'PATCH', url, headers: as(nurse, { 'if-match': `"${yp.id}:2"` }), payload: { status: 'closed' } })
    t.equal(res.statusCode, 403)
    t.match(res.json(), { code: 'POLKU_FORBIDDEN' })
    const none = await app.inject({ method: 'PATCH', url, headers: as(stranger, { 'if-match': `"${yp.id}:2"` }), payload: { status: 'closed' } })
    t.equal(none.statusCode, 404, 'without any consent the young person does not exist')
    const after = await app.inject({ url, headers: as(counsellor) })
    t.match(after.json(), { status: 'active', version: 2 })
  })

  await t.test('goals: 201 with an ETag; a category needs write consent for it too', async (t) => {
    const res = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/goals`, headers: as(counsellor), payload: { title: 'Find a summer job', category: 'employment', targetDate: '2026-06-01' } })
    t.equal(res.statusCode, 201, res.body)
    employmentGoal = res.json()
    t.match(res.json(), { youngPersonId: yp.id, title: 'Find a summer job', category: 'employment', status: 'open', targetDate: '2026-06-01', createdByProfessionalId: counsellor.id, version: 1, steps: [] })
    t.equal(res.headers.etag, `"${employmentGoal.id}:1"`)
    t.equal(res.headers.location, `/v1/goals/${employmentGoal.id}`)

    const plain = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/goals`, headers: as(counsellor), payload: { title: 'Weekly check-in' } })
    t.equal(plain.statusCode, 201)
    plainGoal = plain.json()
    t.equal(plain.json().category, null)

    const before = await countRows(goals)
    const health = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/goals`, headers: as(counsellor), payload: { title: 'Sleep better', category: 'health' } })
    t.equal(health.statusCode, 403, 'consent without health write')
    const readOnly = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/goals`, headers: as(nurse), payload: { title: 'Anything' } })
    t.equal(readOnly.statusCode, 403, 'read-only consent')
    const none = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/goals`, headers: as(stranger), payload: { title: 'Anything' } })
    t.equal(none.statusCode, 404)
    t.equal(await countRows(goals), before, 'no refused write left a row')
  })

  await t.test('goal updates: 428 without If-Match, 412 when stale or weak, and the ETag moves', async (t) => {
    const goalUrl = `/v1/goals/${employmentGoal.id}`
    const missing = await app.inject({ method: 'PATCH', url: goalUrl, headers: as(counsellor), payload: { status: 'in_progress' } })
    t.equal(missing.statusCode, 428)
    const weak = await app.inject({ method: 'PATCH', url: goalUrl, headers: as(counsellor, { 'if-match': `W/${employmentGoal.etag}` }), payload: { status: 'in_progress' } })
    t.equal(weak.statusCode, 412, 'If-Match compares strongly')
    const otherRecord = await app.inject({ method: 'PATCH', url: goalUrl, headers: as(counsellor, { 'if-match': plainGoal.etag }), payload: { status: 'in_progress' } })
    t.equal(otherRecord.statusCode, 412, 'the ETag of another goal does not match')

    const ok = await app.inject({ method: 'PATCH', url: goalUrl, headers: as(counsellor, { 'if-match': employmentGoal.etag }), payload: { status: 'in_progress', title: 'Find a summer job in retail' } })
    t.equal(ok.statusCode, 200, ok.body)
    t.match(ok.json(), { id: employmentGoal.id, status: 'in_progress', title: 'Find a summer job in retail', version: 2, etag: `"${employmentGoal.id}:2"` })
    t.equal(ok.headers.etag, `"${employmentGoal.id}:2"`)
    t.not(ok.headers.etag, employmentGoal.etag)

    const stale = await app.inject({ method: 'PATCH', url: goalUrl, headers: as(counsellor, { 'if-match': employmentGoal.etag }), payload: { title: 'Overwritten' } })
    t.equal(stale.statusCode, 412)
    const read = await app.inject({ url: goalUrl, headers: as(counsellor) })
    t.match(read.json(), { title: 'Find a summer job in retail', version: 2 }, 'the stale write changed nothing')
    t.equal(read.headers.etag, `"${employmentGoal.id}:2"`)
    employmentGoal = read.json()

    const racers = await Promise.all(
      ['A', 'B'].map((title) => app.inject({ method: 'PATCH', url: goalUrl, headers: as(counsellor, { 'if-match': employmentGoal.etag }), payload: { title } })),
    )
    t.same(racers.map((r) => r.statusCode).sort(), [200, 412], 'two writers with one ETag: exactly one wins')
    employmentGoal = (await app.inject({ url: goalUrl, headers: as(counsellor) })).json()
    t.equal((employmentGoal as unknown as { version: number }).version, 3)
  })

  await t.test('steps: owner on the team, 412/428, and invisible under a goal the caller cannot read', async (t) => {
    const stepsUrl = `/v1/goals/${employmentGoal.id}/steps`
    const notOnTeam = await app.inject({ method: 'POST', url: stepsUrl, headers: as(counsellor), payload: { title: 'Write a CV', ownerProfessionalId: stranger.id } })
    t.equal(notOnTeam.statusCode, 422)
    const created = await app.inject({ method: 'POST', url: stepsUrl, headers: as(counsellor), payload: { title: 'Write a CV', ownerProfessionalId: counsellor.id, dueDate: '2026-03-01' } })
    t.equal(created.statusCode, 201, created.body)
    step = created.json()
    t.match(created.json(), { goalId: employmentGoal.id, youngPersonId: yp.id, title: 'Write a CV', owner: { professionalId: counsellor.id, name: 'Kaisa Ohjaaja' }, dueDate: '2026-03-01', status: 'open', version: 1 })
    t.equal(created.headers.etag, `"${step.id}:1"`)

    const stepUrl = `/v1/steps/${step.id}`
    t.equal((await app.inject({ method: 'PATCH', url: stepUrl, headers: as(counsellor), payload: { status: 'done' } })).statusCode, 428)
    const done = await app.inject({ method: 'PATCH', url: stepUrl, headers: as(counsellor, { 'if-match': step.etag }), payload: { status: 'done', ownerProfessionalId: null } })
    t.equal(done.statusCode, 200, done.body)
    t.match(done.json(), { status: 'done', owner: null, version: 2, etag: `"${step.id}:2"` })
    t.equal((await app.inject({ method: 'PATCH', url: stepUrl, headers: as(counsellor, { 'if-match': step.etag }), payload: { status: 'open' } })).statusCode, 412)

    const before = await countRows(steps)
    t.equal((await app.inject({ method: 'POST', url: stepsUrl, headers: as(nurse), payload: { title: 'x' } })).statusCode, 404, 'the nurse cannot see an employment goal')
    t.equal((await app.inject({ method: 'POST', url: `/v1/goals/${plainGoal.id}/steps`, headers: as(nurse), payload: { title: 'x' } })).statusCode, 403, 'visible, but read-only')
    t.equal((await app.inject({ method: 'PATCH', url: stepUrl, headers: as(nurse, { 'if-match': `"${step.id}:2"` }), payload: { status: 'open' } })).statusCode, 404)
    t.equal((await app.inject({ url: stepUrl, headers: as(nurse) })).statusCode, 404)
    t.equal(await countRows(steps), before)
  })

  await t.test('goals and steps are filtered by category: the nurse sees only what pathway consent covers', async (t) => {
    const nurseView = await app.inject({ url, headers: as(nurse) })
    t.equal(nurseView.statusCode, 200)
    t.same(nurseView.json().goals.map((g: { id: string }) => g.id), [plainGoal.id], 'no employment goal, and none of its steps')
    t.equal((await app.inject({ url: `/v1/goals/${employmentGoal.id}`, headers: as(nurse) })).statusCode, 404)
    t.equal((await app.inject({ method: 'PATCH', url: `/v1/goals/${plainGoal.id}`, headers: as(nurse, { 'if-match': plainGoal.etag }), payload: { title: 'x' } })).statusCode, 403)

    const counsellorView = await app.inject({ url, headers: as(counsellor) })
    t.same(counsellorView.json().goals.map((g: { id: string; steps: unknown[] }) => [g.id, g.steps.length]), [[employmentGoal.id, 1], [plainGoal.id, 0]])

    const health = await app.inject({ method: 'PATCH', url: `/v1/goals/${employmentGoal.id}`, headers: as(counsellor, { 'if-match': employmentGoal.etag }), payload: { category: 'health' } })
    t.equal(health.statusCode, 403, 'moving a goal into a category needs write on that category')

    const uncategorised = await app.inject({ method: 'PATCH', url: `/v1/goals/${employmentGoal.id}`, headers: as(counsellor, { 'if-match': employmentGoal.etag }), payload: { category: null } })
    t.equal(uncategorised.statusCode, 200, uncategorised.body)
    const after = await app.inject({ url, headers: as(nurse) })
    const moved = after.json().goals.find((g: { id: string }) => g.id === employmentGoal.id)
    t.ok(moved, 'the goal without a category is visible under pathway consent')
    t.same(moved.steps.map((s: { id: string }) => s.id), [step.id], 'and its steps moved with it')
  })

  await t.test('the young person sees their whole pathway at /v1/me/pathway', async (t) => {
    const mine = await app.inject({ url: '/v1/me/pathway', headers: yp.actor!.headers })
    t.equal(mine.statusCode, 200, mine.body)
    t.match(mine.json(), { youngPersonId: yp.id, status: 'active', summary: 'Job search and housing', version: 2 })
    t.equal(mine.json().goals.length, 2)
    const professional = await app.inject({ url: '/v1/me/pathway', headers: as(counsellor) })
    t.equal(professional.statusCode, 403)
    const write = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/goals`, headers: yp.actor!.headers, payload: { title: 'Mine' } })
    t.equal(write.statusCode, 403, 'young persons read their pathway; professionals write it')
  })

  await t.test('a partner with pathway:read reads the pathway only under a consent to its agency', async (t) => {
    const partnerAgency = await createAgency(app, admin, { name: 'School system', kind: 'education' })
    const client = await createPartnerClient(app, admin, { agencyId: partnerAgency.id, scopes: ['pathway:read'] })
    const partner = { headers: await partnerHeaders(app, client) }
    t.equal((await app.inject({ url, headers: as(partner) })).statusCode, 404, 'no consent yet')

    await grantConsent(app, yp, { grantee: { agencyId: partnerAgency.id }, categories: ['pathway'], actions: ['read', 'write'] })
    const res = await app.inject({ url, headers: as(partner) })
    t.equal(res.statusCode, 200, res.body)
    t.same(res.json().goals.map((g: { id: string }) => g.id).sort(), [employmentGoal.id, plainGoal.id].sort())
    const write = await app.inject({ method: 'PATCH', url, headers: as(partner, { 'if-match': res.headers.etag as string }), payload: { status: 'paused' } })
    t.equal(write.statusCode, 403, 'the write consent does not help a token without pathway:write')

    const statsOnly = { headers: await partnerHeaders(app, await createPartnerClient(app, admin, { agencyId: partnerAgency.id, scopes: ['stats:read'] })) }
    t.equal((await app.inject({ url, headers: as(statsOnly) })).statusCode, 404, 'the agency’s consent needs a personal-data scope on the token')
    const blind = await app.inject({ method: 'PATCH', url, headers: as(statsOnly, { 'if-match': res.headers.etag as string }), payload: { status: 'paused' } })
    t.equal(blind.statusCode, 404, 'and without it the young person is not even found')
  })

  await t.test('a retried goal creation with an Idempotency-Key replays the goal and its ETag', async (t) => {
    const keyed = { 'idempotency-key': 'goal-cv-1' }
    const once = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/goals`, headers: as(counsellor, keyed), payload: { title: 'Get a driving licence' } })
    const again = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/goals`, headers: as(counsellor, keyed), payload: { title: 'Get a driving licence' } })
    t.equal(again.statusCode, 201)
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.same([again.json().id, again.headers.etag], [once.json().id, once.headers.etag], 'a retry replays the goal and its ETag')
    const dropped = await app.inject({ method: 'PATCH', url: `/v1/goals/${once.json().id}`, headers: as(counsellor, { 'if-match': once.headers.etag as string }), payload: { status: 'dropped' } })
    t.equal(dropped.statusCode, 200)
  })

  await t.test('a closed pathway takes no new goals or steps', async (t) => {
    const current = await app.inject({ url, headers: as(counsellor) })
    const patched = await app.inject({ method: 'PATCH', url, headers: as(counsellor, { 'if-match': current.headers.etag as string }), payload: { status: 'closed' } })
    t.equal(patched.statusCode, 422, 'a pathway is closed with its own operation and a reason')
    const closed = await app.inject({ method: 'POST', url: `${url}/close`, headers: as(counsellor), payload: { reason: 'goals_reached' } })
    t.equal(closed.statusCode, 200, closed.body)
    const goal = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/goals`, headers: as(counsellor), payload: { title: 'Late goal' } })
    t.equal(goal.statusCode, 409)
    const step = await app.inject({ method: 'POST', url: `/v1/goals/${plainGoal.id}/steps`, headers: as(counsellor), payload: { title: 'Late step' } })
    t.equal(step.statusCode, 409)
  })

  await t.test('every access is audited with its category and consents, refusals too', async (t) => {
    const events = await app.database.db.select().from(auditEvents).where(eq(auditEvents.youngPersonId, yp.id))
    const goalCreate = events.find((e) => e.action === 'create' && e.resourceType === 'Goal' && e.resourceId === employmentGoal.id)
    t.match(goalCreate, { outcome: 'allowed', category: 'employment', consentIds: [yp.consentId], actorKind: 'professional' })
    const refused = events.filter((e) => e.resourceType === 'Goal' && e.outcome === 'denied' && e.actorAccountId !== null)
    t.ok(refused.some((e) => e.category === 'health' && e.action === 'create'), 'the refused health goal is in the young person’s log')
    t.ok(events.some((e) => e.action === 'read' && e.resourceType === 'Pathway' && e.actorKind === 'partner' && e.outcome === 'allowed'))
  })
})
