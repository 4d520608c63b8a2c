// The single read is rendered once per caller and filled per request: one caller's statement never
// answers for another, and every read still writes its own event.
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createAuditor, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build } from '../helper.js'

t.test('interleaved readers of one young person each get what their own consents allow', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Student health care' })
  const social = await createAgency(app, admin, { name: 'Municipal social services' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
  const worker = await createProfessional(app, admin, { agencyId: social.id, role: 'social_worker' })
  const stranger = await createProfessional(app, admin, { agencyId: social.id, role: 'youth_counsellor' })
  const yp = await createYoungPerson(app, nurse, { withAccount: true })
  // The social worker may read the pathway, not the identity fields.
  await grantConsent(app, yp, { grantee: { professionalId: worker.id }, categories: ['pathway'] })

  const read = async (headers: { authorization: string }) => {
    const requestId = randomUUID()
    const res = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: { ...headers, 'x-request-id': requestId } })
    return { res, requestId }
  }
  const reads = []
  for (let round = 0; round < 3; round++) {
    for (const [who, headers] of [
      ['nurse', nurse.headers],
      ['worker', worker.headers],
      ['stranger', stranger.headers],
    ] as const) {
      reads.push({ who, ...(await read(headers)) })
    }
  }

  for (const { who, res } of reads) {
    if (who === 'nurse') {
      t.equal(res.statusCode, 200, 'the nurse reads')
      t.match(res.json(), { id: yp.id, givenName: 'Aada', familyName: 'Testinen' }, "with the identity the nurse's consent covers")
    } else if (who === 'worker') {
      t.equal(res.statusCode, 200, 'the social worker reads')
      t.notOk('givenName' in res.json(), 'without the identity fields, whoever read before')
      t.same(res.json().categories, ['pathway'])
    } else {
      t.equal(res.statusCode, 404, 'a professional without consent gets 404, whoever read before')
    }
  }

  const events = await queryRows<{ id: string; requestId: string; outcome: string; actorAccountId: string; resourceId: string }>(
    app.database.db,
    sql`select id, request_id as "requestId", outcome, actor_account_id as "actorAccountId", resource_id as "resourceId" from audit_events
      where request_id = any(${`{${reads.map((r) => r.requestId).join(',')}}`}::text[])`,
  )
  t.equal(events.length, reads.length, 'one event per read')
  t.equal(new Set(events.map((e) => e.id)).size, reads.length, 'each with an id of its own')
  for (const { who, requestId } of reads) {
    const event = events.find((e) => e.requestId === requestId)
    t.equal(event?.outcome, who === 'stranger' ? 'denied' : 'allowed', `${who}: the event carries its own request and outcome`)
    t.equal(event?.resourceId, yp.id)
  }

  const auditor = await createAuditor(app)
  const verify = await app.inject({ url: '/v1/audit/verify', headers: auditor.headers })
  t.match(verify.json(), { ok: true, firstBroken: null }, 'the chains still verify')
})
