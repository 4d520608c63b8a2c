// The referral lifecycle: consent first, then the receiver decides, completes or declines; the referrer may withdraw.
import { sql } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { createPartnerClient, grantConsent, partnerHeaders } from '../factories.js'
import { build } from '../helper.js'
import { decide, deliveries, problem, refer, referralWorld, youngPersonOf } from './fixtures.js'

const UNKNOWN = '00000000-0000-4000-8000-000000000000'

t.test('referrals', async (t) => {
  const app = await build(t)
  const w = await referralWorld(app)

  t.test('a referral waits for consent, the receiver sees nothing until the young person approves, then accepts and completes it', async (t) => {
    const yp = await youngPersonOf(app, w.counsellor)
    const created = await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id, toRole: 'nurse' })
    t.equal(created.statusCode, 201)
    const referral = created.json()
    t.match(referral, {
      youngPersonId: yp.id,
      from: { professionalId: w.counsellor.id, name: 'Kaisa Counsellor', agencyId: w.employment.id },
      to: { agencyId: w.health.id, name: 'Youth health', role: 'nurse' },
      reason: 'Needs a health check before starting work practice',
      categories: ['health'],
      status: 'awaiting_consent',
      decisionReason: null,
      outcome: null,
      decidedByProfessionalId: null,
    })
    t.type(referral.consentRequestId, 'string')

    const hidden = await app.inject({ url: `/v1/referrals/${referral.id}`, headers: w.nurse.headers })
    const missing = await app.inject({ url: `/v1/referrals/${UNKNOWN}`, headers: w.nurse.headers })
    t.equal(hidden.statusCode, 404)
    t.same(problem(hidden.json()), problem(missing.json()), 'an awaiting referral looks exactly like no referral to the receiver')
    t.same((await app.inject({ url: '/v1/referrals', headers: w.nurse.headers })).json(), { items: [], nextCursor: null })
    t.equal((await decide(app, w.nurse, referral.id, 'accept')).statusCode, 404)
    t.equal((await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: w.nurse.headers })).statusCode, 404)
    t.same(await deliveries(app, w.endpoints.health), [], 'the receiving side is not told before consent')
    t.same(await deliveries(app, w.endpoints.employment), [])

    const asked = (await app.inject({ url: '/v1/me/consent-requests', headers: yp.actor!.headers })).json().items
    t.equal(asked.length, 1)
    t.match(asked[0], {
      id: referral.consentRequestId,
      grantee: { agencyId: w.health.id, role: 'nurse', professionalId: null },
      categories: ['health'],
      actions: ['read'],
      purpose: 'Referral to Youth health (nurse): Needs a health check before starting work practice',
      status: 'pending',
    })
    const approved = await app.inject({ method: 'POST', url: `/v1/consent-requests/${referral.consentRequestId}/approve`, headers: yp.actor!.headers, payload: {} })
    t.equal(approved.statusCode, 200)

    const seen = await app.inject({ url: `/v1/referrals/${referral.id}`, headers: w.nurse.headers })
    t.equal(seen.statusCode, 200)
    t.match(seen.json(), { id: referral.id, status: 'pending', to: { role: 'nurse' } })
    t.equal((await app.inject({ url: `/v1/referrals/${referral.id}`, headers: w.psychologist.headers })).statusCode, 404, 'another role of the agency is not addressed')
    t.same(
      (await deliveries(app, w.endpoints.health)).map((d) => d.eventType),
      ['referral.created'],
      'the receiver hears of the referral once consent exists',
    )

    const accepted = await decide(app, w.nurse, referral.id, 'accept')
    t.equal(accepted.statusCode, 200)
    t.match(accepted.json(), { status: 'accepted', decidedByProfessionalId: w.nurse.id })
    for (const [actor, decision, body] of [
      [w.nurse, 'accept', undefined],
      [w.nurse, 'decline', { reason: 'Changed my mind' }],
      [w.counsellor, 'withdraw', undefined],
    ] as const) {
      const res = await decide(app, actor, referral.id, decision, body)
      t.equal(res.statusCode, 409, `${decision} after accept is 409`)
      t.equal(res.json().code, 'POLKU_CONFLICT')
      t.match(res.json().detail, /accepted/)
    }

    const completed = await decide(app, w.nurse, referral.id, 'complete', { outcome: 'Health check done, fit for work practice' })
    t.equal(completed.statusCode, 200)
    t.match(completed.json(), { status: 'completed', outcome: 'Health check done, fit for work practice', decidedByProfessionalId: w.nurse.id })
    t.equal((await decide(app, w.nurse, referral.id, 'complete', { outcome: 'Again' })).statusCode, 409)
    const reported = await app.inject({ url: `/v1/referrals/${referral.id}`, headers: w.counsellor.headers })
    t.match(reported.json(), { status: 'completed', outcome: 'Health check done, fit for work practice' }, 'the outcome is reported back to the referrer')

    const sent = await deliveries(app, w.endpoints.health)
    t.same(
      sent.map((d) => d.eventType),
      ['referral.created', 'referral.accepted', 'referral.completed'],
    )
    t.same((await deliveries(app, w.endpoints.employment)).map((d) => d.eventType), ['referral.created', 'referral.accepted', 'referral.completed'])
    for (const d of sent) {
      t.same(d.payload.data, { referralId: referral.id, status: d.eventType.split('.')[1] === 'created' ? 'pending' : d.eventType.split('.')[1], toAgencyId: w.health.id, toRole: 'nurse' })
      t.notMatch(JSON.stringify(d.payload), /health check|fit for work|Testinen/i, 'no free text or identity in a webhook')
    }
  })

  t.test('a receiver who already holds consent gets the referral at once; a decline reports the reason back', async (t) => {
    const yp = await youngPersonOf(app, w.counsellor)
    await grantConsent(app, yp, { grantee: { agencyId: w.health.id }, categories: ['pathway', 'health'] })
    const before = (await deliveries(app, w.endpoints.health)).length
    const created = await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id })
    t.equal(created.statusCode, 201)
    t.match(created.json(), { status: 'pending', consentRequestId: null, to: { role: null } })
    const id = created.json().id
    t.same((await app.inject({ url: '/v1/me/consent-requests', headers: yp.actor!.headers })).json().items, [], 'no consent request is needed')

    const own = await decide(app, w.counsellor, id, 'accept')
    t.equal(own.statusCode, 403, 'the referrer can read it but cannot accept it')
    t.equal(own.json().code, 'POLKU_FORBIDDEN')
    const declined = await decide(app, w.psychologist, id, 'decline', { reason: 'Our psychologists have no capacity this month' })
    t.equal(declined.statusCode, 200)
    t.match(declined.json(), { status: 'declined', decisionReason: 'Our psychologists have no capacity this month', decidedByProfessionalId: w.psychologist.id })
    t.match((await app.inject({ url: `/v1/referrals/${id}`, headers: w.counsellor.headers })).json(), {
      status: 'declined',
      decisionReason: 'Our psychologists have no capacity this month',
    })
    t.equal((await decide(app, w.nurse, id, 'accept')).statusCode, 409, 'a declined referral cannot be accepted')
    t.equal((await decide(app, w.nurse, id, 'complete', { outcome: 'Done' })).statusCode, 409, 'nor completed')
    const events = (await deliveries(app, w.endpoints.health)).slice(before).map((d) => d.eventType)
    t.same(events, ['referral.created', 'referral.declined'])
    t.equal((await decide(app, w.nurse, id, 'decline', {})).statusCode, 400, 'a decline needs a reason')
    t.equal((await decide(app, w.nurse, id, 'accept', { note: 'x' })).statusCode, 400, 'an accept takes no fields')
  })

  t.test('the referrer withdraws an open referral; nobody else can', async (t) => {
    const yp = await youngPersonOf(app, w.counsellor)
    const awaiting = (await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id, toRole: 'psychologist', categories: ['psychological'] })).json()
    t.equal(awaiting.status, 'awaiting_consent')
    t.equal((await decide(app, w.psychologist, awaiting.id, 'withdraw')).statusCode, 404)
    const byYoungPerson = await decide(app, yp.actor!, awaiting.id, 'withdraw')
    t.equal(byYoungPerson.statusCode, 403, 'the young person sees it but the referrer withdraws it')
    const withdrawn = await decide(app, w.counsellor, awaiting.id, 'withdraw')
    t.equal(withdrawn.statusCode, 200)
    t.equal(withdrawn.json().status, 'withdrawn')
    t.equal((await decide(app, w.counsellor, awaiting.id, 'withdraw')).statusCode, 409, 'withdrawing twice is a conflict')

    const approved = await app.inject({ method: 'POST', url: `/v1/consent-requests/${awaiting.consentRequestId}/approve`, headers: yp.actor!.headers, payload: {} })
    t.equal(approved.statusCode, 200)
    const after = await app.inject({ url: `/v1/referrals/${awaiting.id}`, headers: w.psychologist.headers })
    t.equal(after.json().status, 'withdrawn', 'a later approval does not revive a withdrawn referral')
    t.equal((await decide(app, w.psychologist, awaiting.id, 'accept')).statusCode, 409)

    const pending = (await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id, toRole: 'psychologist', categories: ['psychological'] })).json()
    t.equal(pending.status, 'pending', 'the psychologists now hold consent')
    const wider = (await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id, toRole: 'psychologist', categories: ['psychological', 'health'] })).json()
    t.equal(wider.status, 'awaiting_consent', 'a category the consent does not cover is asked for first')
    t.equal((await decide(app, w.psychologist, wider.id, 'accept')).statusCode, 403, 'and the receiver cannot act on it meanwhile')
    t.equal((await decide(app, w.colleague, pending.id, 'withdraw')).statusCode, 404, 'a colleague without consent cannot touch it')
    t.equal((await decide(app, w.counsellor, pending.id, 'withdraw')).json().status, 'withdrawn')
  })

  t.test('an open referral expires after the configured time', async (t) => {
    const yp = await youngPersonOf(app, w.counsellor)
    await grantConsent(app, yp, { grantee: { agencyId: w.health.id, role: 'nurse' }, categories: ['pathway', 'health'] })
    const started = Date.now()
    const created = (await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id, toRole: 'nurse' })).json()
    t.equal(created.status, 'pending')
    const ttl = new Date(created.expiresAt).getTime() - started
    t.ok(Math.abs(ttl - app.config.referralTtlDays * 24 * 3600 * 1000) < 60_000, 'expires after referralTtlDays')

    await app.database.db.execute(sql`update referrals set expires_at = now() - interval '1 minute' where id = ${created.id}`)
    const expired = await app.inject({ url: `/v1/referrals/${created.id}`, headers: w.nurse.headers })
    t.equal(expired.json().status, 'expired')
    const accept = await decide(app, w.nurse, created.id, 'accept')
    t.equal(accept.statusCode, 409)
    t.match(accept.json().detail, /expired/)
    t.equal((await decide(app, w.counsellor, created.id, 'withdraw')).statusCode, 409)
    const listed = await app.inject({ url: '/v1/referrals?status=expired', headers: w.nurse.headers })
    t.same(
      listed.json().items.map((r: { id: string }) => r.id),
      [created.id],
    )
    const open = await app.inject({ url: '/v1/referrals?status=pending', headers: w.nurse.headers })
    t.notOk(open.json().items.some((r: { id: string }) => r.id === created.id))
  })

  t.test('the receiver loses the referral the moment the young person withdraws consent', async (t) => {
    const yp = await youngPersonOf(app, w.counsellor)
    const consent = await grantConsent(app, yp, { grantee: { professionalId: w.nurse.id }, categories: ['pathway', 'health'] })
    const created = (await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id, toRole: 'nurse' })).json()
    t.equal(created.status, 'pending', 'a consent to one professional of the agency counts')
    t.equal((await app.inject({ url: `/v1/referrals/${created.id}`, headers: w.nurse.headers })).statusCode, 200)
    await app.inject({ method: 'POST', url: `/v1/consents/${consent.id}/revoke`, headers: yp.actor!.headers, payload: {} })
    t.equal((await app.inject({ url: `/v1/referrals/${created.id}`, headers: w.nurse.headers })).statusCode, 404)
    t.equal((await decide(app, w.nurse, created.id, 'accept')).statusCode, 404)
  })

  t.test('only a professional with pathway write consent can refer, and every refusal is audited', async (t) => {
    const yp = await youngPersonOf(app, w.counsellor)
    const readOnly = await youngPersonOf(app, w.colleague)
    await grantConsent(app, readOnly, { grantee: { professionalId: w.counsellor.id }, categories: ['pathway'], actions: ['read'] })

    const stranger = await refer(app, w.colleague, { youngPersonId: yp.id, toAgencyId: w.health.id })
    const unknown = await refer(app, w.colleague, { youngPersonId: UNKNOWN, toAgencyId: w.health.id })
    t.equal(stranger.statusCode, 404)
    t.same(problem(stranger.json()), problem(unknown.json()), 'no consent and no young person look the same')
    t.equal((await refer(app, w.counsellor, { youngPersonId: readOnly.id, toAgencyId: w.health.id })).statusCode, 404, 'read-only consent cannot refer')
    t.equal((await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: UNKNOWN })).statusCode, 422)
    t.equal((await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id, extra: 1 })).statusCode, 400)
    t.equal((await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id, categories: [] })).statusCode, 400)
    const self = await app.inject({ method: 'POST', url: '/v1/referrals', headers: yp.actor!.headers, payload: { youngPersonId: yp.id, toAgencyId: w.health.id, reason: 'Refer me please', categories: ['health'] } })
    t.equal(self.statusCode, 403)
    const admin = await app.inject({ method: 'POST', url: '/v1/referrals', headers: w.admin.headers, payload: { youngPersonId: yp.id, toAgencyId: w.health.id, reason: 'Admin', categories: ['health'] } })
    t.equal(admin.statusCode, 403)
    t.same((await app.inject({ url: '/v1/referrals', headers: w.admin.headers })).json(), { items: [], nextCursor: null }, 'an admin reads no referrals')

    const [denied] = await queryRows<{ n: number }>(
      app.database.db,
      sql`select count(*)::int as n from audit_events where resource_type = 'Referral' and action = 'create' and outcome = 'denied' and young_person_id = ${yp.id}`,
    )
    t.equal(denied!.n, 1, 'the denied referral is in the young person’s audit chain')
    const count = async () => (await queryRows<{ n: number }>(app.database.db, sql`select count(*)::int as n from referrals where young_person_id = ${yp.id}`))[0]!.n
    t.equal(await count(), 0, 'no partial write')
  })

  t.test('Idempotency-Key replays the referral instead of making a second one', async (t) => {
    const yp = await youngPersonOf(app, w.counsellor)
    const send = () =>
      app.inject({
        method: 'POST',
        url: '/v1/referrals',
        headers: { ...w.counsellor.headers, 'idempotency-key': `refer-${yp.id}` },
        payload: { youngPersonId: yp.id, toAgencyId: w.health.id, reason: 'Needs a health check', categories: ['health'] },
      })
    const first = await send()
    const second = await send()
    t.equal(first.statusCode, 201)
    t.equal(second.statusCode, 201)
    t.equal(second.headers['idempotent-replayed'], 'true')
    t.equal(second.json().id, first.json().id)
    const asked = (await app.inject({ url: '/v1/me/consent-requests', headers: yp.actor!.headers })).json().items
    t.equal(asked.length, 1, 'one consent request, not two')
  })

  t.test('a partner system of the receiving agency receives referrals addressed to the whole agency, but cannot make one', async (t) => {
    const client = await createPartnerClient(app, w.admin, { agencyId: w.health.id, scopes: ['referrals:read', 'referrals:write'] })
    const partner = { headers: await partnerHeaders(app, client) }
    const yp = await youngPersonOf(app, w.counsellor)
    await grantConsent(app, yp, { grantee: { agencyId: w.health.id }, categories: ['pathway', 'health'] })
    const toAgency = (await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id })).json()
    const toNurses = (await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id, toRole: 'nurse' })).json()

    const received = await app.inject({ url: '/v1/referrals?role=received', headers: partner.headers })
    t.same(
      received.json().items.filter((r: { youngPersonId: string }) => r.youngPersonId === yp.id).map((r: { id: string }) => r.id),
      [toAgency.id],
      'only the referral addressed to the agency as a whole',
    )
    t.equal((await decide(app, partner, toNurses.id, 'accept')).statusCode, 403, 'visible under the pathway consent, but addressed to the nurses')
    const accepted = await decide(app, partner, toAgency.id, 'accept')
    t.equal(accepted.statusCode, 200)
    t.match(accepted.json(), { status: 'accepted', decidedByProfessionalId: null })
    const made = await app.inject({ method: 'POST', url: '/v1/referrals', headers: partner.headers, payload: { youngPersonId: yp.id, toAgencyId: w.employment.id, reason: 'Back to employment services', categories: ['employment'] } })
    t.equal(made.statusCode, 403)
  })

  t.test('lists: sent, received and the young person’s own, newest first', async (t) => {
    const yp = await youngPersonOf(app, w.counsellor)
    await grantConsent(app, yp, { grantee: { agencyId: w.health.id }, categories: ['pathway', 'health'] })
    const first = (await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id })).json()
    const second = (await refer(app, w.counsellor, { youngPersonId: yp.id, toAgencyId: w.health.id, toRole: 'nurse' })).json()

    const ids = async (actor: { headers: object }, query = '') =>
      (await app.inject({ url: `/v1/referrals${query}`, headers: actor.headers as Record<string, string> })).json().items.map((r: { id: string }) => r.id)
    t.same((await ids(w.counsellor, '?role=sent')).slice(0, 2), [second.id, first.id])
    t.same(await ids(w.counsellor, '?role=received'), [])
    t.same((await ids(w.nurse, '?role=received')).slice(0, 2), [second.id, first.id])
    t.notOk((await ids(w.psychologist, '?role=received')).includes(second.id), 'addressed to nurses only')
    t.ok((await ids(w.psychologist, '?role=received')).includes(first.id))
    t.same(await ids(yp.actor!), [second.id, first.id], 'the young person sees every referral about them')

    const paged = await app.inject({ url: `/v1/referrals?role=sent&limit=1`, headers: w.counsellor.headers })
    t.equal(paged.json().items.length, 1)
    t.type(paged.json().nextCursor, 'string')
    const next = await app.inject({ url: `/v1/referrals?role=sent&limit=1&cursor=${paged.json().nextCursor}`, headers: w.counsellor.headers })
    t.same(next.json().items.map((r: { id: string }) => r.id), [first.id])
  })
})
