// A pathway closes, rests read-only, reopens; then time passes and the retention job erases exactly what is due.
import { sql } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { verifyAuditLog } from '../../src/modules/audit/audit.verify.js'
import { runRetention } from '../../src/modules/retention/retention.job.js'
import { addDays } from '../../src/modules/retention/retention.rules.js'
import { runDeliveryRound } from '../../src/modules/webhooks/worker.js'
import { build } from '../helper.js'
import { startReceiver } from '../webhooks/receiver.js'
import { closeAsCounsellor, countColumns, createCentre, findEverywhere, youngPersonWithContent } from './fixtures.js'

t.test('closing, reopening and the deletion date', async (t) => {
  const app = await build(t, { config: { webhookAllowPrivateNetworks: true } })
  const receiver = await startReceiver(t)
  const centre = await createCentre(app, receiver)
  const yp = await youngPersonWithContent(app, centre, 'Ilmatar')
  const pathwayUrl = `/v1/young-persons/${yp.id}/pathway`
  const headers = centre.counsellor.headers

  const open = await app.inject({ url: '/v1/me', headers: yp.actor.headers })
  t.equal(open.json().retention.deletionDate, null, 'no deletion date while the pathway is open under an active consent')

  const closed = await closeAsCounsellor(app, centre, yp.id)
  t.equal(closed.status, 'closed')
  t.equal(closed.closure.reason, 'goals_reached')
  const consents = await queryRows<{ until: string }>(app.database.db, sql`select max(valid_until) as until from consents where young_person_id = ${yp.id}`)
  const start = new Date(consents[0]!.until)
  t.equal(new Date(closed.retention.startsFrom).getTime(), start.getTime(), 'retention starts when the last consent ends, later than the closing')
  t.equal(closed.retention.deletionDate, addDays(start, 730).toISOString().slice(0, 10))
  t.match(closed.retention.categories.find((c: { category: string }) => c.category === 'health'), { deletionDate: addDays(start, 365).toISOString().slice(0, 10) })

  const me = await app.inject({ url: '/v1/me', headers: yp.actor.headers })
  t.equal(me.json().retention.deletionDate, closed.retention.deletionDate, 'the young person sees the same date')

  const note = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/notes`, headers, payload: { category: 'pathway', body: 'late' } })
  t.equal(note.statusCode, 409)
  t.equal(note.json().code, 'POLKU_PATHWAY_CLOSED')
  const goal = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/goals`, headers, payload: { title: 'late' } })
  t.equal(goal.statusCode, 409)
  const current = await app.inject({ url: pathwayUrl, headers })
  const summary = await app.inject({ method: 'PATCH', url: pathwayUrl, headers: { ...headers, 'if-match': current.headers.etag as string }, payload: { summary: 'late' } })
  t.equal(summary.statusCode, 409, 'the summary is read-only too')
  const again = await app.inject({ method: 'POST', url: `${pathwayUrl}/close`, headers, payload: { reason: 'other' } })
  t.equal(again.statusCode, 409)

  const byCounsellor = await app.inject({ method: 'POST', url: `${pathwayUrl}/reopen`, headers, payload: {} })
  t.equal(byCounsellor.statusCode, 403, 'a professional reopens only with a consent given after the closing')

  const reopened = await app.inject({ method: 'POST', url: '/v1/me/pathway/reopen', headers: yp.actor.headers, payload: {} })
  t.equal(reopened.statusCode, 200, reopened.body)
  t.match(reopened.json(), { status: 'active', closure: null, retention: { deletionDate: null } })
  const write = await app.inject({ method: 'POST', url: `/v1/young-persons/${yp.id}/notes`, headers, payload: { category: 'pathway', body: 'after reopening' } })
  t.equal(write.statusCode, 201)

  const events = await queryRows<{ action: string; outcome: string }>(app.database.db, sql`select action, outcome from audit_events where young_person_id = ${yp.id} and action in ('close', 'reopen') order by seq`)
  t.same(events, [
    { action: 'close', outcome: 'allowed' },
    { action: 'reopen', outcome: 'denied' },
    { action: 'reopen', outcome: 'allowed' },
  ])
  const told = await queryRows<{ payload: { data: Record<string, unknown> } }>(app.database.db, sql`select payload from webhook_deliveries where event_type = 'pathway.closed'`)
  t.equal(told.length, 1, 'the partner holding a pathway consent hears of the closing')
  t.same(Object.keys(told[0]!.payload.data).sort(), ['closedAt', 'reason', 'youngPersonId'])
})

t.test('the retention job erases nothing a day early and everything due, leaving tombstones', async (t) => {
  const app = await build(t, { config: { statsMinCell: 2, webhookAllowPrivateNetworks: true } })
  const receiver = await startReceiver(t)
  const centre = await createCentre(app, receiver)
  const yp = await youngPersonWithContent(app, centre, 'Vellamo')
  const other = await youngPersonWithContent(app, centre, 'Tapio')
  for (const c of await queryRows<{ id: string }>(app.database.db, sql`select id from consents where young_person_id = ${yp.id}`)) {
    const res = await app.inject({ method: 'POST', url: `/v1/consents/${c.id}/revoke`, headers: yp.actor.headers, payload: {} })
    t.equal(res.statusCode, 200)
  }
  const closed = await app.inject({ method: 'POST', url: '/v1/me/pathway/close', headers: yp.actor.headers, payload: { reason: 'no_longer_wants_support' } })
  t.equal(closed.statusCode, 200, closed.body)
  await runDeliveryRound(app)
  const start = new Date(closed.json().retention.startsFrom)
  const rules = app.config.retention
  const stats = async () => ({ ...(await app.inject({ url: '/v1/stats/pathways', headers: centre.admin.headers })).json(), asOf: undefined })
  const before = await stats()

  const [code] = await queryRows<{ hash: string }>(app.database.db, sql`select code_hash as hash from link_codes where young_person_id = ${yp.id}`)
  t.same((await runRetention(app.database, rules, { now: addDays(start, 364) })).erased, [], 'nothing a day before the shortest period')
  const health = await runRetention(app.database, rules, { now: addDays(start, 365) })
  t.same(health.erased, [{ youngPersonId: yp.id, categories: ['health', 'psychological'], whole: false }])
  t.same((await runRetention(app.database, rules, { now: addDays(start, 729) })).erased, [], 'nothing a day before the deletion date')
  const dryRun = await runRetention(app.database, rules, { now: addDays(start, 730), dryRun: true })
  // The other young person's pathway is open, but their consents ran out a year in: their health data is due too.
  t.same(dryRun.erased.map((e) => [e.youngPersonId, e.whole]), [[yp.id, true], [other.id, false]])
  t.same((await app.inject({ url: '/v1/me', headers: yp.actor.headers })).json().givenName, 'Vellamo-given', 'a dry run erases nothing')

  const due = await runRetention(app.database, rules, { now: addDays(start, 730) })
  t.same(due.erased, [
    { youngPersonId: yp.id, categories: ['identity', 'pathway', 'education', 'employment', 'social', 'housing', 'finance'], whole: true },
    { youngPersonId: other.id, categories: ['health', 'psychological'], whole: false },
  ])
  t.same((await runRetention(app.database, rules, { now: addDays(start, 731) })).erased, [], 'an erased record is not erased again')

  for (const url of [`/v1/young-persons/${yp.id}`, `/v1/young-persons/${yp.id}/pathway`, `/v1/young-persons/${yp.id}/notes`]) {
    t.equal((await app.inject({ url, headers: centre.counsellor.headers })).statusCode, 404, `${url} is gone for the professional`)
  }
  const exported = (await app.inject({ url: '/v1/me/export', headers: yp.actor.headers })).json()
  t.match(exported.person, { id: yp.id, givenName: '', familyName: '', birthDate: null, email: null, phone: null, retention: { erasedAt: String } })
  t.same([exported.consents, exported.consentRequests, exported.notes, exported.referrals, exported.pathway.goals, exported.pathway.summary], [[], [], [], [], [], ''])
  t.same([...new Set(exported.tombstones.map((x: { kind: string }) => x.kind))].sort(), ['consent', 'goal', 'note', 'pathway', 'young_person'])
  t.ok(exported.tombstones.every((x: object) => Object.keys(x).sort().join() === 'category,cause,createdAt,erasedAt,kind,recordId'))

  t.same(await stats(), before, 'anonymous statistics are unchanged')
  t.match(await verifyAuditLog(app.database), { ok: true, firstBroken: null })
  const erasedEvents = await queryRows<{ actor_kind: string }>(app.database.db, sql`select actor_kind from audit_events where young_person_id = ${yp.id} and action = 'erase_record'`)
  t.same(erasedEvents, [{ actor_kind: 'system' }])

  const notices = await app.inject({ url: '/v1/audit/erasure-notices?unacknowledged=true', headers: centre.auditor.headers })
  t.match(notices.json().items, [{ youngPersonId: yp.id, endpointId: centre.endpointId, status: 'pending', acknowledgedAt: null }])
  await runDeliveryRound(app)
  const forget = receiver.received.map((r) => JSON.parse(r.rawBody)).filter((b) => b.type === 'personal_data.erased')
  t.equal(forget.length, 1)
  t.same(Object.keys(forget[0].data).sort(), ['erasedAt', 'youngPersonId'], 'ids only')
  t.same((await app.inject({ url: '/v1/audit/erasure-notices?unacknowledged=true', headers: centre.auditor.headers })).json().items, [], 'acknowledged by a 2xx')

  t.ok((await countColumns(app.database.db)) > 40, 'the scan covers the text and JSON columns of every table')
  for (const needle of ['Vellamo-given', 'Vellamo-note', 'Vellamo-goal', 'Vellamo-question', code!.hash]) t.same(await findEverywhere(app.database.db, needle), [], `${needle} is nowhere in the database`)
  for (const needle of ['Tapio-note', 'Tapio-question']) t.not((await findEverywhere(app.database.db, needle)).length, 0, `the scan finds ${needle}, still held`)
  t.same((await app.inject({ url: '/v1/me/review-items', headers: yp.actor.headers })).json().items.map((i: { question: string }) => i.question), [''], 'the review item stays, without its words')
  t.equal((await app.inject({ url: `/v1/young-persons/${other.id}/notes`, headers: centre.counsellor.headers })).json().items.length, 1, 'others are untouched')
})
