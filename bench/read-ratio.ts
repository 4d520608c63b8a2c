// The bare read against Polku's consent-checked, audited read under concurrent HTTP load (autocannon).
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { PGlite } from '@electric-sql/pglite'
import autocannon from 'autocannon'
import { eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { mintToken } from '../src/auth/tokens.js'
import { testConfig } from '../src/config.js'
import { youngPersons } from '../src/db/schema/index.js'
import { createAccount } from '../src/modules/demo/demo.seed.js'
import { withScratchDatabase } from './scratch.js'

const PEOPLE = Number(process.env.BENCH_PEOPLE_READ ?? 200)
const CONNECTIONS = 10
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)

export interface ReadRatio {
  database: 'postgres' | 'pglite'
  youngPersons: number
  connections: number
  seconds: number
  bare: { perSecond: number; p99Ms: number; non2xx: number }
  audited: { perSecond: number; p99Ms: number; non2xx: number }
  ratio: number
}

/** A nurse with consent (identity, health) for `n` young persons, created through the API. */
async function seed(app: FastifyInstance, n: number) {
  const stamp = randomUUID()
  const token = (subject: string) => `Bearer ${mintToken(app.config.jwt, { subject, ttlSeconds: 3600 })}`
  await app.database.transaction((tx) => createAccount(tx, 'admin', `bench-admin-${stamp}`))
  const admin = { authorization: token(`bench-admin-${stamp}`) }
  const agency = (await app.inject({ method: 'POST', url: '/v1/agencies', headers: admin, payload: { name: 'Bench', kind: 'health_services' } })).json()
  const professional = (
    await app.inject({ method: 'POST', url: '/v1/professionals', headers: admin, payload: { agencyId: agency.id, role: 'nurse', displayName: 'Bench Nurse', subject: `bench-nurse-${stamp}` } })
  ).json()
  const nurse = { authorization: token(`bench-nurse-${stamp}`) }
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/young-persons',
      headers: nurse,
      payload: {
        givenName: `Bench${i}`,
        familyName: 'Person',
        birthDate: '2004-01-01',
        consent: { grantee: { professionalId: professional.id }, categories: ['identity', 'health'], actions: ['read', 'write'], purpose: 'Benchmark', evidence: `BENCH-${i}` },
      },
    })
    if (res.statusCode !== 201) throw new Error(`seeding failed: ${res.statusCode} ${res.body}`)
    ids.push(res.json().id)
  }
  return { authorization: nurse.authorization, ids }
}

async function load(url: string, authorization: string, pathOf: (i: number) => string) {
  let i = 0
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization },
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: pathOf(i++) }) }],
  })
  return { perSecond: Math.round(result.requests.average), p99Ms: result.latency.p99, non2xx: result.non2xx + result.errors }
}

async function measure(url: string | undefined): Promise<ReadRatio> {
  const config = testConfig({ databaseUrl: url, rateLimitPerMinute: 1_000_000, dbPoolSize: CONNECTIONS })
  const app = await buildApp(config, url ? {} : { pglite: await PGlite.create() })
  // The bare read: the same Fastify, the same JWT verification, one primary-key SELECT; no principal, consent or audit.
  app.get('/bench/bare/:id', async (request) => {
    await request.jwtVerify()
    const { id } = request.params as { id: string }
    const [row] = await app.database.db.select().from(youngPersons).where(eq(youngPersons.id, id))
    return { id: row?.id, givenName: row?.givenName }
  })
  try {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const { authorization, ids } = await seed(app, PEOPLE)
    const at = (i: number) => ids[i % ids.length]!
    await load(base, authorization, (i) => `/v1/young-persons/${at(i)}`).then(() => {}) // warm-up: JIT, pools, plans
    const bare = await load(base, authorization, (i) => `/bench/bare/${at(i)}`)
    const audited = await load(base, authorization, (i) => `/v1/young-persons/${at(i)}`)
    return {
      database: url ? 'postgres' : 'pglite',
      youngPersons: ids.length,
      connections: CONNECTIONS,
      seconds: SECONDS,
      bare,
      audited,
      ratio: Math.round((audited.perSecond / bare.perSecond) * 100) / 100,
    }
  } finally {
    await app.close()
  }
}

/** On an embedded PGlite, or on a scratch database of the server at DATABASE_URL (dropped after). */
export function benchReadRatio(): Promise<ReadRatio> {
  return withScratchDatabase('polku_bench_read', measure)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchReadRatio(), null, 2))
}
