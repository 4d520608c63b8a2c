// The single read is rendered once per caller and filled per request: one caller's statement never
// answers for another, and every read still writes its own event.
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createAuditor, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build, type Test } from '../helper.js'

/** A nurse and a social worker of two agencies. */
async function nurseAndSocialWorker(t: Test) {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Student health care' })
  const social = await createAgency(app, admin, { name: 'Municipal social services' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' })
  const worker = await createProfessional(app, admin, { agencyId: social.id, role: 'social_worker' })
  return { app, admin, social, nurse, worker }
}

t.test('interleaved readers of one young person each get what their own consents allow', async (t) => {
  const { app, admin, social, nurse, worker } = await nurseAndSocialWorker(t)
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

t.test("interleaved caseload pages: each caller pages through their own caseload, with names only where their consent covers them", async (t) => {
  const { app, nurse, worker } = await nurseAndSocialWorker(t)
  const shared = [await createYoungPerson(app, nurse, { withAccount: true }), await createYoungPerson(app, nurse, { withAccount: true })]
  for (const yp of shared) await grantConsent(app, yp, { grantee: { professionalId: worker.id }, categories: ['pathway'] })
  const nurseOnly = await createYoungPerson(app, nurse)

  const page = async (headers: { authorization: string }, cursor?: string) => {
    const res = await app.inject({ url: `/v1/caseload?limit=1${cursor ? `&cursor=${cursor}` : ''}`, headers })
    t.equal(res.statusCode, 200)
    return res.json() as { items: { id: string; givenName: string | null }[]; total: number; nextCursor: string | null }
  }
  const seen = { nurse: [] as { id: string; givenName: string | null }[], worker: [] as { id: string; givenName: string | null }[] }
  let cursors: { nurse?: string | null; worker?: string | null } = {}
  for (let round = 0; round < 3; round++) {
    for (const who of ['nurse', 'worker'] as const) {
      const cursor = cursors[who]
      if (cursor === null) continue
      const found = await page(who === 'nurse' ? nurse.headers : worker.headers, cursor)
      t.equal(found.total, who === 'nurse' ? 3 : 2, `${who}: the total of their own caseload`)
      seen[who].push(...found.items)
      cursors = { ...cursors, [who]: found.nextCursor }
    }
  }
  t.same(seen.nurse.map((i) => i.id).sort(), [...shared.map((y) => y.id), nurseOnly.id].sort(), 'the nurse pages through all three, each once')
  t.ok(seen.nurse.every((i) => i.givenName === 'Aada'), 'with names')
  t.same(seen.worker.map((i) => i.id).sort(), shared.map((y) => y.id).sort(), 'the social worker pages through the two shared with them')
  t.ok(seen.worker.every((i) => i.givenName === null), 'without names, whoever read before')
})
