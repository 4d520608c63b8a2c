// Withdrawal is immediate: the same token loses access on the next request, also under concurrent reads.
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson, type ProfessionalActor } from '../factories.js'
import { build, onPostgres } from '../helper.js'

const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined, instance: undefined })

interface Read {
  kind: 'record' | 'caseload' | 'consents'
  startedAt: number
  endedAt: number
  status: number
  /** The response carried the young person's data. */
  sawData: boolean
  requestId: string
}

async function readOnce(app: FastifyInstance, pro: ProfessionalActor, ypId: string, kind: Read['kind']): Promise<Read> {
  const url = kind === 'record' ? `/v1/young-persons/${ypId}` : kind === 'consents' ? `/v1/young-persons/${ypId}/consents` : '/v1/caseload?limit=100'
  const requestId = randomUUID()
  const startedAt = performance.now()
  const res = await app.inject({ url, headers: { ...pro.headers, 'x-request-id': requestId } })
  const endedAt = performance.now()
  let sawData = false
  if (res.statusCode === 200) {
    const body = res.json()
    sawData = kind === 'record' ? body.givenName === 'Aada' : kind === 'consents' ? body.items.length > 0 : body.items.some((i: { id: string }) => i.id === ypId)
  }
  return { kind, startedAt, endedAt, status: res.statusCode, sawData, requestId }
}

t.test('revocation takes effect on the very next request', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Municipal social services' })
  const pro = await createProfessional(app, admin, { agencyId: agency.id, role: 'social_worker' })
  const missing = await app.inject({ url: '/v1/young-persons/00000000-0000-4000-8000-000000000000', headers: pro.headers })

  await t.test('the same token reads before the revoke and gets 404 right after', async (t) => {
    const yp = await createYoungPerson(app, pro, { withAccount: true })
    const before = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: pro.headers })
    t.equal(before.statusCode, 200)
    t.match(before.json(), { id: yp.id, givenName: 'Aada', familyName: 'Testinen', categories: ['identity', 'pathway'] })

    const revoke = await app.inject({ method: 'POST', url: `/v1/consents/${yp.consentId}/revoke`, headers: yp.actor!.headers, payload: {} })
    t.equal(revoke.statusCode, 200)
    t.match(revoke.json(), { id: yp.consentId, status: 'revoked', revokedAt: String })

    const after = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: pro.headers })
    t.equal(after.statusCode, 404)
    t.same(strip(after.json()), strip(missing.json()), 'indistinguishable from an id that does not exist')
    t.equal((await app.inject({ url: `/v1/young-persons/${yp.id}/consents`, headers: pro.headers })).statusCode, 404)
    t.equal((await app.inject({ url: `/v1/consents/${yp.consentId}`, headers: pro.headers })).statusCode, 404, 'the ended consent record is no longer the former grantee’s to read')
    const caseload = await app.inject({ url: '/v1/caseload', headers: pro.headers })
    t.notOk(caseload.json().items.some((i: { id: string }) => i.id === yp.id))

    const again = await app.inject({ method: 'POST', url: `/v1/consents/${yp.consentId}/revoke`, headers: yp.actor!.headers, payload: {} })
    t.equal(again.statusCode, 409, 'a revoked consent stays revoked')
    t.match(again.json(), { code: 'POLKU_CONFLICT', detail: /already revoked/ })
  })

  await t.test('a professional recording the withdrawal in person ends access just the same', async (t) => {
    const yp = await createYoungPerson(app, pro, { withAccount: true })
    const revoke = await app.inject({ method: 'POST', url: `/v1/consents/${yp.consentId}/revoke`, headers: pro.headers, payload: {} })
    t.equal(revoke.statusCode, 200)
    t.equal((await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: pro.headers })).statusCode, 404)
    const mine = await app.inject({ url: '/v1/me/consents', headers: yp.actor!.headers })
    t.match(mine.json().items, [{ id: yp.consentId, status: 'revoked' }], 'the young person sees it withdrawn')
  })

  await t.test('no read that starts after the revoke has answered returns data (concurrent readers)', async (t) => {
    const yp = await createYoungPerson(app, pro, { withAccount: true })
    const reads: Read[] = []
    let revokedAt = Number.POSITIVE_INFINITY
    let revoking: Promise<void> | undefined
    const revoke = async () => {
      const res = await app.inject({ method: 'POST', url: `/v1/consents/${yp.consentId}/revoke`, headers: yp.actor!.headers, payload: {} })
      revokedAt = performance.now()
      t.equal(res.statusCode, 200, 'the revoke goes through while reads hold the consent')
    }
    const kinds: Read['kind'][] = ['record', 'caseload', 'consents']
    const enough = () => reads.filter((r) => r.startedAt > revokedAt).length >= 40 || reads.length >= 1500
    // The readers start the revoke themselves once data has flowed: no timers, which a busy PGlite would starve.
    const worker = async (n: number) => {
      for (let i = 0; !enough(); i++) {
        reads.push(await readOnce(app, pro, yp.id, kinds[(n + i) % kinds.length]!))
        if (revoking === undefined && reads.filter((r) => r.sawData).length >= 12) revoking = revoke()
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    await Promise.all(Array.from({ length: onPostgres ? 8 : 4 }, (_, n) => worker(n)))
    await revoking

    t.same([...new Set(reads.map((r) => r.status))].filter((s) => s !== 200 && s !== 404), [], 'only 200 or 404: no deadlock, no 5xx')
    t.ok(reads.filter((r) => r.sawData && r.startedAt < revokedAt).length >= 12, 'reads saw data before the revoke')
    const later = reads.filter((r) => r.startedAt > revokedAt)
    t.ok(later.length >= 40, `${later.length} reads started after the revoke answered`)
    t.same(later.filter((r) => r.sawData), [], 'none of them returned data')
    t.same(
      later.filter((r) => r.kind !== 'caseload' && r.status !== 404),
      [],
      'the record and its consents answer 404 after the revoke',
    )

    // Readers take no lock on the consent, so a read whose snapshot predates the revoke may be logged just
    // after it; every read that started once the revoke had answered is logged as denied.
    const chain = await app.database.transaction((tx) =>
      queryRows<{ seq: number; action: string; resource_type: string; outcome: string; request_id: string }>(
        tx,
        sql`select seq::int as seq, action, resource_type, outcome, request_id from audit_events where chain = ${yp.id} order by seq`,
      ),
    )
    const revokeSeq = chain.find((e) => e.action === 'revoke' && e.outcome === 'allowed')?.seq ?? Number.POSITIVE_INFINITY
    const guarded = chain.filter((e) => (e.action === 'read' && e.resource_type === 'YoungPerson') || (e.action === 'list' && e.resource_type === 'Consent'))
    t.ok(guarded.some((e) => e.seq < revokeSeq && e.outcome === 'allowed'), 'allowed reads are logged before the revoke')
    const startedAfter = new Set(later.map((r) => r.requestId))
    const logged = guarded.filter((e) => startedAfter.has(e.request_id))
    t.ok(logged.length > 0, 'reads started after the revoke are in the chain')
    t.same(logged.filter((e) => e.outcome !== 'denied'), [], 'every read started after the revoke was logged as denied')
  })
})
