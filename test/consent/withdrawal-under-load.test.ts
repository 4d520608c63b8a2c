// A young person's withdrawal never waits for readers: it succeeds under concurrent reads and ends access at once.
import { performance } from 'node:perf_hooks'
import t from 'tap'
import { loadHeldConsents } from '../../src/authz/index.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build, onPostgres } from '../helper.js'

const READERS = onPostgres ? 8 : 4
const ROUNDS = onPostgres ? 10 : 3

// Concurrent transactions need a real server: PGlite serves one connection, so readers and withdrawals queue behind each other.
t.test('withdrawal under load', { skip: onPostgres ? false : 'needs PostgreSQL: PGlite has a single connection' }, async (t) => {
  // The readers alone exceed the per-caller rate limit; the limit is not what is tested here.
  const app = await build(t, { config: { rateLimitPerMinute: 1_000_000 } })
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Student health care' })
  const nurse = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })
  const yp = await createYoungPerson(app, nurse, { withAccount: true })
  const grant = { grantee: { professionalId: nurse.id }, categories: ['identity'], actions: ['read'] }

  await t.test('a revocation completes while a reader still has the consent open in its transaction', async (t) => {
    const consent = await grantConsent(app, yp, grant)
    const principal = { kind: 'professional' as const, accountId: '', professionalId: nurse.id, agencyId: agency.id, role: 'nurse' as const, displayName: '' }
    const status = await app.database.transaction(async (tx) => {
      const held = await loadHeldConsents(tx, principal, yp.id)
      t.ok(held.some((c) => c.id === consent.id), 'the reader holds the consent')
      // With a row lock on the consent this would wait for this very transaction: a 503 after the statement timeout.
      const revoke = await app.inject({ method: 'POST', url: `/v1/consents/${consent.id}/revoke`, headers: yp.actor!.headers, payload: {} })
      return revoke.statusCode
    })
    t.equal(status, 200, 'the withdrawal did not wait for the reader')
  })

  await t.test(`${READERS} readers on one young person: every revocation succeeds, no later read returns data`, async (t) => {
    // The intake consent stays in place on the other test's young person only: this one reads under grants made here.
    await app.inject({ method: 'POST', url: `/v1/consents/${yp.consentId}/revoke`, headers: yp.actor!.headers, payload: {} })
    const revokeMs: number[] = []
    const leaks: { round: number; status: number }[] = []
    let readsAfter = 0
    for (let round = 0; round < ROUNDS; round++) {
      const consent = await grantConsent(app, yp, grant)
      let revokedAt = Number.POSITIVE_INFINITY
      let seen = 0
      let after = 0
      const reader = async () => {
        while (after < READERS * 5) {
          const startedAt = performance.now()
          const res = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })
          if (res.statusCode === 200) seen++
          if (startedAt > revokedAt) {
            after++
            if (res.statusCode !== 404) leaks.push({ round, status: res.statusCode })
          }
        }
      }
      const readers = Array.from({ length: READERS }, reader)
      while (seen < READERS) await new Promise((resolve) => setImmediate(resolve))
      const t0 = performance.now()
      const revoke = await app.inject({ method: 'POST', url: `/v1/consents/${consent.id}/revoke`, headers: yp.actor!.headers, payload: {} })
      revokedAt = performance.now()
      t.equal(revoke.statusCode, 200, `revocation ${round + 1} succeeds`)
      revokeMs.push(revokedAt - t0)
      await Promise.all(readers)
      readsAfter += after
    }
    t.same(leaks, [], `none of the ${readsAfter} reads started after a revocation answered returned data`)
    const sorted = [...revokeMs].sort((a, b) => a - b)
    t.comment(`revocation latency under ${READERS} readers: p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`)
  })
})
