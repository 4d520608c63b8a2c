// Legal holds stop the job and erasure; erasure requests are decided by the auditor; two instances erase each record once; a crash resumes.
import { sql } from 'drizzle-orm'
import t from 'tap'
import { openDatabase } from '../../src/db/client.js'
import { queryRows } from '../../src/db/client.js'
import { verifyAuditLog } from '../../src/modules/audit/audit.verify.js'
import { runRetention } from '../../src/modules/retention/retention.job.js'
import { addDays } from '../../src/modules/retention/retention.rules.js'
import { createYoungPerson } from '../factories.js'
import { build, onPostgres } from '../helper.js'
import { startReceiver } from '../webhooks/receiver.js'
import { closeAsCounsellor, createCentre, youngPersonWithContent } from './fixtures.js'

const FAR = addDays(new Date(), 5 * 365)

t.test('a legal hold blocks the job and an erasure request; lifting it lets them run', async (t) => {
  const app = await build(t, { config: { webhookAllowPrivateNetworks: true } })
  const centre = await createCentre(app, await startReceiver(t))
  const auditor = centre.auditor.headers
  const yp = await youngPersonWithContent(app, centre, 'Hiisi')
  const held = await youngPersonWithContent(app, centre, 'Ahti')
  for (const id of [yp.id, held.id]) await closeAsCounsellor(app, centre, id)

  const hold = await app.inject({ method: 'POST', url: `/v1/young-persons/${held.id}/legal-holds`, headers: auditor, payload: { reason: 'Court case 123/2026' } })
  t.equal(hold.statusCode, 201, hold.body)
  const byProfessional = await app.inject({ method: 'POST', url: `/v1/young-persons/${held.id}/legal-holds`, headers: centre.counsellor.headers, payload: { reason: 'x' } })
  t.equal(byProfessional.statusCode, 403)
  t.same((await app.inject({ url: '/v1/me', headers: held.actor.headers })).json().retention.legalHold, true)

  const blocked = await runRetention(app.database, app.config.retention, { now: FAR })
  t.same(blocked.erased.map((e) => e.youngPersonId), [yp.id], 'the job passes over the young person under hold')

  const asked = await app.inject({ method: 'POST', url: '/v1/me/erasure-requests', headers: held.actor.headers, payload: {} })
  t.equal(asked.statusCode, 201, asked.body)
  t.match(asked.json(), { status: 'pending', categories: null })
  const decision = `/v1/erasure-requests/${asked.json().id}/decision`
  t.equal((await app.inject({ method: 'POST', url: decision, headers: held.actor.headers, payload: { decision: 'grant' } })).statusCode, 403, 'only the auditor decides')
  const refusedByHold = await app.inject({ method: 'POST', url: decision, headers: auditor, payload: { decision: 'grant' } })
  t.equal(refusedByHold.statusCode, 409)

  const lifted = await app.inject({ method: 'POST', url: `/v1/legal-holds/${hold.json().id}/lift`, headers: auditor, payload: { reason: 'Case closed' } })
  t.equal(lifted.statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: `/v1/legal-holds/${hold.json().id}/lift`, headers: auditor, payload: { reason: 'again' } })).statusCode, 409)

  const granted = await app.inject({ method: 'POST', url: decision, headers: auditor, payload: { decision: 'grant' } })
  t.equal(granted.statusCode, 200, granted.body)
  t.match(granted.json(), { status: 'granted', decidedAt: String })
  t.equal((await app.inject({ url: `/v1/young-persons/${held.id}`, headers: centre.counsellor.headers })).statusCode, 404, 'erased at once')
  const own = await app.inject({ url: '/v1/me/erasure-requests', headers: held.actor.headers })
  t.match(own.json().items, [{ status: 'granted' }])

  const actions = await queryRows<{ action: string }>(
    app.database.db,
    sql`select action from audit_events where young_person_id = ${held.id} and action in ('set_legal_hold', 'lift_legal_hold', 'request_erasure', 'erasure_granted', 'erase_record') order by seq`,
  )
  t.same(actions.map((a) => a.action), ['set_legal_hold', 'request_erasure', 'lift_legal_hold', 'erasure_granted', 'erase_record'])
  t.match(await verifyAuditLog(app.database), { ok: true })
})

t.test('a refusal gives an art. 17(3) ground; a grant in part erases only its categories', async (t) => {
  const app = await build(t, { config: { webhookAllowPrivateNetworks: true } })
  const centre = await createCentre(app, await startReceiver(t))
  const yp = await youngPersonWithContent(app, centre, 'Kalma')
  const ask = async () => (await app.inject({ method: 'POST', url: '/v1/me/erasure-requests', headers: yp.actor.headers, payload: {} })).json()
  const first = await ask()
  t.equal((await app.inject({ method: 'POST', url: '/v1/me/erasure-requests', headers: yp.actor.headers, payload: {} })).statusCode, 409, 'one pending request at a time')
  const reason = 'The municipality must keep social welfare records under its archive obligation'
  const refused = await app.inject({ method: 'POST', url: `/v1/erasure-requests/${first.id}/decision`, headers: centre.auditor.headers, payload: { decision: 'refuse', ground: 'legal_obligation', reason } })
  t.match(refused.json(), { status: 'refused', ground: 'legal_obligation', reason })
  const second = await ask()
  const part = await app.inject({
    method: 'POST',
    url: `/v1/erasure-requests/${second.id}/decision`,
    headers: centre.auditor.headers,
    payload: { decision: 'grant_in_part', categories: ['pathway'], ground: 'legal_claims', reason: 'Identity is kept while a claim is open' },
  })
  t.match(part.json(), { status: 'granted_in_part', grantedCategories: ['pathway'] })
  const me = (await app.inject({ url: '/v1/me', headers: yp.actor.headers })).json()
  t.equal(me.givenName, 'Kalma-given', 'identity is kept')
  t.same((await app.inject({ url: `/v1/young-persons/${yp.id}/notes`, headers: centre.counsellor.headers })).json().items, [], 'the pathway notes are gone')
  t.same((await app.inject({ url: '/v1/me/erasure-requests', headers: yp.actor.headers })).json().items.map((r: { status: string }) => r.status), ['granted_in_part', 'refused'])
})

t.test('two instances at once erase each record once, and a crashed run resumes', async (t) => {
  const app = await build(t, { config: { webhookAllowPrivateNetworks: true } })
  const centre = await createCentre(app, await startReceiver(t))
  const ids: string[] = []
  for (let i = 0; i < 4; i++) {
    const yp = await createYoungPerson(app, centre.counsellor, { givenName: `Parallel${i}` })
    await closeAsCounsellor(app, centre, yp.id)
    ids.push(yp.id)
  }
  // On PostgreSQL the second instance has its own connection pool, as a second server would.
  const second = onPostgres ? await openDatabase(app.config) : app.database
  if (second !== app.database) t.teardown(() => second.close())
  const [a, b] = await Promise.all([runRetention(app.database, app.config.retention, { now: FAR }), runRetention(second, app.config.retention, { now: FAR })])
  const erased = [...a.erased, ...b.erased].map((e) => e.youngPersonId).sort()
  t.same(erased, [...ids].sort(), 'every record erased, none twice')
  const once = await queryRows<{ young_person_id: string; n: number }>(
    app.database.db,
    sql`select young_person_id, count(*)::int as n from audit_events where action = 'erase_record' group by young_person_id`,
  )
  t.ok(once.length === 4 && once.every((r) => r.n === 1), 'one erasure event per record')

  const more: string[] = []
  for (let i = 0; i < 3; i++) {
    const yp = await createYoungPerson(app, centre.counsellor, { givenName: `Crash${i}` })
    await closeAsCounsellor(app, centre, yp.id)
    more.push(yp.id)
  }
  let seen = 0
  const crashed = runRetention(app.database, app.config.retention, {
    now: FAR,
    afterEach: () => {
      seen++
      if (seen === 1) throw new Error('the process died')
    },
  })
  await t.rejects(crashed, /the process died/)
  const left = await queryRows<{ n: number }>(app.database.db, sql`select count(*)::int as n from young_persons where erased_at is null`)
  t.equal(left[0]!.n, 2, 'what committed before the crash stays erased')
  const resumed = await runRetention(app.database, app.config.retention, { now: FAR })
  t.equal(resumed.erased.length, 2, 'the next run erases the rest')
  const all = await queryRows<{ n: number }>(app.database.db, sql`select count(*)::int as n from audit_events where action = 'erase_record'`)
  t.equal(all[0]!.n, 7)
  t.match(await verifyAuditLog(app.database), { ok: true })
})
