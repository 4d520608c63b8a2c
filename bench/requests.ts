// Request latency through the whole stack (auth, consent, audit) with app.inject: a consented read and a note write.
import { performance } from 'node:perf_hooks'
import { PGlite } from '@electric-sql/pglite'
import { buildApp } from '../src/app.js'
import { mintToken } from '../src/auth/tokens.js'
import { testConfig } from '../src/config.js'
import { createAccount } from '../src/modules/demo/demo.seed.js'
import { withScratchDatabase } from './scratch.js'

export interface RequestBench {
  case: string
  requests: number
  perSecond: number
  p50Ms: number
  p99Ms: number
}

function summarise(name: string, timings: number[], totalMs: number): RequestBench {
  const sorted = [...timings].sort((a, b) => a - b)
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100) / 100
  return { case: name, requests: timings.length, perSecond: Math.round((timings.length / totalMs) * 1000), p50Ms: at(0.5), p99Ms: at(0.99) }
}

/** On an in-memory PGlite, or on a scratch database of the server at DATABASE_URL (dropped after). */
export function benchRequests(n = Number(process.env.BENCH_REQUESTS ?? 500)): Promise<RequestBench[]> {
  return withScratchDatabase('polku_bench_requests', (url) => measure(n, url))
}

async function measure(n: number, url: string | undefined): Promise<RequestBench[]> {
  const config = testConfig({ databaseUrl: url })
  const app = await buildApp(config, url ? {} : { pglite: await PGlite.create() })
  try {
    const token = (subject: string) => ({ authorization: `Bearer ${mintToken(config.jwt, { subject, ttlSeconds: 3600 })}` })
    const stamp = Date.now()
    await app.database.transaction((tx) => createAccount(tx, 'admin', `bench-admin-${stamp}`))
    const admin = token(`bench-admin-${stamp}`)
    const agency = (await app.inject({ method: 'POST', url: '/v1/agencies', headers: admin, payload: { name: 'Bench', kind: 'health_services' } })).json()
    const pro = token(`bench-nurse-${stamp}`)
    const professional = (
      await app.inject({ method: 'POST', url: '/v1/professionals', headers: admin, payload: { agencyId: agency.id, role: 'nurse', displayName: 'Bench Nurse', subject: `bench-nurse-${stamp}` } })
    ).json()
    const person = (
      await app.inject({
        method: 'POST',
        url: '/v1/young-persons',
        headers: pro,
        payload: {
          givenName: 'Bench',
          familyName: 'Person',
          birthDate: '2004-01-01',
          consent: { grantee: { professionalId: professional.id }, categories: ['identity', 'health'], actions: ['read', 'write'], purpose: 'Benchmark', evidence: 'BENCH-1' },
        },
      })
    ).json()

    const run = async (name: string, call: () => Promise<unknown>) => {
      for (let i = 0; i < 20; i++) await call()
      const timings: number[] = []
      const start = performance.now()
      for (let i = 0; i < n; i++) {
        const t0 = performance.now()
        await call()
        timings.push(performance.now() - t0)
      }
      return summarise(name, timings, performance.now() - start)
    }
    return [
      await run('GET /health/live (no database)', () => app.inject({ url: '/health/live' })),
      await run('GET /v1/young-persons/{id} (auth + consent + audit)', () => app.inject({ url: `/v1/young-persons/${person.id}`, headers: pro })),
      await run('POST /v1/young-persons/{id}/notes (auth + consent + write + audit)', () =>
        app.inject({ method: 'POST', url: `/v1/young-persons/${person.id}/notes`, headers: pro, payload: { category: 'health', body: 'Benchmark note' } }),
      ),
      await run('GET /v1/caseload', () => app.inject({ url: '/v1/caseload?limit=20', headers: pro })),
    ]
  } finally {
    await app.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await benchRequests())
}
