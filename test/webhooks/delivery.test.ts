// The delivery worker: signed POSTs, retries with backoff, dead letters, redelivery, one send per row.
import { sql } from 'drizzle-orm'
import t from 'tap'
import { enqueueEvent } from '../../src/modules/webhooks/outbox.js'
import { verifySignature } from '../../src/modules/webhooks/signature.js'
import { RETRY_BASE_MS, RETRY_CAP_MS, retryDelayMs, runDeliveryRound } from '../../src/modules/webhooks/worker.js'
import { createAdmin, createAgency } from '../factories.js'
import { build } from '../helper.js'
import { createEndpoint, createPartner, outbox } from './fixtures.js'
import { startReceiver } from './receiver.js'

const MINUTE = 60_000
const later = (ms: number) => new Date(Date.now() + ms)

t.test('retry delays grow exponentially with full jitter, capped at an hour', async (t) => {
  t.equal(retryDelayMs(1, () => 0), 0)
  t.equal(retryDelayMs(1, () => 0.5), RETRY_BASE_MS / 2)
  t.equal(retryDelayMs(3, () => 0.5), 2 * RETRY_BASE_MS)
  t.equal(retryDelayMs(30, () => 0.999_999), Math.floor(0.999_999 * RETRY_CAP_MS))
  for (let attempt = 1; attempt <= 12; attempt++) {
    const delay = retryDelayMs(attempt)
    t.ok(delay >= 0 && delay < Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1)), `attempt ${attempt}: ${delay} ms`)
  }
})

t.test('webhook delivery', async (t) => {
  // The receiver listens on 127.0.0.1: this test opts in to private addresses, as local development does.
  const app = await build(t, { config: { webhookMaxAttempts: 3, webhookAllowPrivateNetworks: true } })
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { kind: 'employment_service' })
  const partner = await createPartner(app, admin, agency.id)
  const receiver = await startReceiver(t)
  const endpoint = await createEndpoint(app, partner, receiver.url, ['referral.created', 'consent.revoked'])
  const log = async () => (await app.inject({ url: `/v1/webhooks/${endpoint.id}/deliveries`, headers: partner.headers })).json()
  const announce = (data: Record<string, string>) => app.database.transaction((tx) => enqueueEvent(tx, 'referral.created', [agency.id], data))

  await t.test('a delivery is a signed POST of the stored event', async (t) => {
    receiver.answer = 204
    const eventId = await announce({ referralId: '11111111-1111-4111-8111-111111111111' })
    const [row] = await outbox(app, endpoint.id)
    t.match(row, { event_id: eventId, event_type: 'referral.created', status: 'pending', attempts: 0 })

    t.same(await runDeliveryRound(app), { claimed: 1, delivered: 1, retrying: 0, dead: 0 })
    const [request] = await receiver.waitFor(1)
    t.equal(request!.path, '/hooks')
    t.equal(request!.headers['content-type'], 'application/json')
    t.equal(request!.headers['polku-event-id'], eventId)
    t.equal(request!.headers['polku-event-type'], 'referral.created')
    const body = JSON.parse(request!.rawBody)
    t.same(body, row!.payload, 'the body is the stored payload')
    t.same(Object.keys(body), ['id', 'type', 'createdAt', 'data'])
    t.match(body, { id: eventId, type: 'referral.created', data: { referralId: '11111111-1111-4111-8111-111111111111' } })

    const signature = request!.headers['polku-signature'] as string
    t.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/)
    t.ok(verifySignature(endpoint.secret, signature, request!.rawBody), 'verifies with the endpoint secret')
    t.notOk(verifySignature(endpoint.secret, signature, request!.rawBody.replace('referral', 'Referral')), 'a changed body fails')
    t.notOk(verifySignature('whsec_other', signature, request!.rawBody), 'another secret fails')
    t.notOk(verifySignature(endpoint.secret, signature, request!.rawBody, 300, Date.now() + 10 * MINUTE), 'an old signature fails')

    const [entry] = (await log()).items
    t.match(entry, { eventId, eventType: 'referral.created', status: 'delivered', attempts: 1, lastStatusCode: 204, lastError: null, nextAttemptAt: null })
    t.ok(entry.deliveredAt)
    t.same(await runDeliveryRound(app), { claimed: 0, delivered: 0, retrying: 0, dead: 0 }, 'delivered once')
  })

  await t.test('failures are retried with backoff and dead-lettered after the last attempt', async (t) => {
    receiver.received.length = 0
    receiver.answer = 500
    const eventId = await announce({ referralId: '22222222-2222-4222-8222-222222222222' })
    const first = await runDeliveryRound(app, { random: () => 0.5 })
    t.same(first, { claimed: 1, delivered: 0, retrying: 1, dead: 0 })
    let [entry] = (await log()).items
    t.match(entry, { eventId, status: 'pending', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500' })
    const due = new Date(entry.nextAttemptAt).getTime() - Date.now()
    t.ok(due > 0 && due <= RETRY_BASE_MS / 2 + 1000, `next attempt in about 5 s (${due} ms)`)
    t.notMatch(JSON.stringify(await log()), /must never be stored/, 'no response body is kept')

    t.equal((await runDeliveryRound(app)).claimed, 0, 'not due before its backoff')
    t.same(await runDeliveryRound(app, { now: later(MINUTE) }), { claimed: 1, delivered: 0, retrying: 1, dead: 0 })
    t.same(await runDeliveryRound(app, { now: later(10 * MINUTE) }), { claimed: 1, delivered: 0, retrying: 0, dead: 1 })
    ;[entry] = (await log()).items
    t.match(entry, { eventId, status: 'dead', attempts: 3, lastStatusCode: 500, nextAttemptAt: null })
    t.equal(receiver.received.length, 3)
    t.equal(new Set(receiver.received.map((r) => r.headers['polku-event-id'])).size, 1, 'every attempt carries the same event id')
    t.equal((await runDeliveryRound(app, { now: later(24 * 60 * MINUTE) })).claimed, 0, 'a dead letter is not retried')

    await t.test('redelivery resets a dead letter, and the event id stays', async (t) => {
      receiver.answer = 200
      const redeliver = await app.inject({ method: 'POST', url: `/v1/webhooks/deliveries/${entry.id}/redeliver`, headers: partner.headers })
      t.equal(redeliver.statusCode, 200, redeliver.body)
      t.match(redeliver.json(), { id: entry.id, eventId, status: 'pending', attempts: 0 })
      const pending = await app.inject({ method: 'POST', url: `/v1/webhooks/deliveries/${entry.id}/redeliver`, headers: partner.headers })
      t.equal(pending.statusCode, 409, 'a pending delivery is not reset')
      t.same(await runDeliveryRound(app), { claimed: 1, delivered: 1, retrying: 0, dead: 0 })
      t.equal(receiver.received.at(-1)!.headers['polku-event-id'], eventId)
      const again = await app.inject({ method: 'POST', url: `/v1/webhooks/deliveries/${entry.id}/redeliver`, headers: partner.headers })
      t.equal(again.statusCode, 200, 'a delivered event can be sent again')
      t.equal((await runDeliveryRound(app)).delivered, 1)
    })

    await t.test("another partner cannot see or redeliver it", async (t) => {
      const school = await createAgency(app, admin, { kind: 'education' })
      const stranger = await createPartner(app, admin, school.id)
      const res = await app.inject({ method: 'POST', url: `/v1/webhooks/deliveries/${entry.id}/redeliver`, headers: stranger.headers })
      t.equal(res.statusCode, 404)
    })
  })

  await t.test('redirects are not followed and a silent receiver times out', async (t) => {
    receiver.answer = 302
    await announce({ referralId: '33333333-3333-4333-8333-333333333333' })
    t.equal((await runDeliveryRound(app)).retrying, 1)
    t.match((await log()).items[0], { lastStatusCode: 302, lastError: 'HTTP 302', status: 'pending' })

    receiver.answer = 'hang'
    t.equal((await runDeliveryRound(app, { now: later(MINUTE), timeoutMs: 200 })).retrying, 1)
    t.match((await log()).items[0], { lastStatusCode: null, lastError: 'timed out after 200 ms', attempts: 2 })
  })

  await t.test('an unreachable receiver is a retry, not a crash', async (t) => {
    const closed = await createEndpoint(app, partner, 'http://127.0.0.1:9/nothing-listens', ['referral.created'])
    await app.database.db.execute(sql`update webhook_deliveries set status = 'dead' where status = 'pending'`)
    await announce({ referralId: '44444444-4444-4444-8444-444444444444' })
    receiver.answer = 204
    const round = await runDeliveryRound(app)
    t.same(round, { claimed: 2, delivered: 1, retrying: 1, dead: 0 })
    const [row] = (await app.inject({ url: `/v1/webhooks/${closed.id}/deliveries`, headers: partner.headers })).json().items
    t.match(row, { status: 'pending', attempts: 1, lastStatusCode: null, lastError: /^[A-Z]/ })
    await app.inject({ method: 'DELETE', url: `/v1/webhooks/${closed.id}`, headers: partner.headers })
  })

  await t.test('a deleted endpoint gets nothing more', async (t) => {
    const doomed = await createEndpoint(app, partner, receiver.url, ['referral.created'])
    await app.database.db.execute(sql`update webhook_deliveries set status = 'dead' where status = 'pending'`)
    await announce({ referralId: '55555555-5555-4555-8555-555555555555' })
    t.equal((await outbox(app, doomed.id)).length, 1)
    t.equal((await app.inject({ method: 'DELETE', url: `/v1/webhooks/${doomed.id}`, headers: partner.headers })).statusCode, 204)
    t.match(await outbox(app, doomed.id), [{ status: 'dead' }])
    await announce({ referralId: '66666666-6666-4666-8666-666666666666' })
    t.equal((await outbox(app, doomed.id)).length, 1, 'no new rows for a deleted endpoint')
  })

  await t.test('rounds running at once send each delivery exactly once', async (t) => {
    await app.database.db.execute(sql`update webhook_deliveries set status = 'dead' where status = 'pending'`)
    receiver.received.length = 0
    receiver.answer = 204
    for (let i = 0; i < 12; i++) await announce({ referralId: `77777777-7777-4777-8777-${String(i).padStart(12, '0')}` })
    const rounds = await Promise.all([1, 2, 3, 4].map(() => runDeliveryRound(app, { batchSize: 5 })))
    const claimed = rounds.reduce((sum, r) => sum + r.claimed, 0)
    const more = await runDeliveryRound(app, { batchSize: 20 })
    t.equal(claimed + more.claimed, 12, 'every row claimed once')
    t.equal(receiver.received.length, 12)
    t.equal(new Set(receiver.received.map((r) => r.headers['polku-event-id'])).size, 12, 'no event sent twice')
  })

  await t.test('a disabled partner client is sent nothing more', async (t) => {
    const school = await createAgency(app, admin, { kind: 'education' })
    const leaving = await createPartner(app, admin, school.id)
    const hook = await createEndpoint(app, leaving, receiver.url, ['referral.created'])
    await app.database.transaction((tx) => enqueueEvent(tx, 'referral.created', [school.id], { referralId: '88888888-8888-4888-8888-888888888888' }))
    const disabled = await app.inject({ method: 'POST', url: `/v1/partner-clients/${leaving.id}/disable`, headers: admin.headers })
    t.equal(disabled.statusCode, 200)
    const sent = receiver.received.length
    t.same(await runDeliveryRound(app), { claimed: 1, delivered: 0, retrying: 0, dead: 1 })
    t.equal(receiver.received.length, sent, 'nothing was sent')
    t.match(await outbox(app, hook.id), [{ status: 'dead', attempts: 1 }])
  })
})
