// A young person's withdrawal while professionals read their record: how long it takes, and whether any later read leaks.
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { PGlite } from '@electric-sql/pglite'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { mintToken } from '../src/auth/tokens.js'
import { testConfig } from '../src/config.js'
import { createAccount } from '../src/modules/demo/demo.seed.js'
import { withScratchDatabase } from './scratch.js'

const READERS = Number(process.env.BENCH_READERS ?? 8)
const ROUNDS = Number(process.env.BENCH_WITHDRAWALS ?? 200)
/** Reads each reader makes after a withdrawal answered, before the next round. */
const READS_AFTER = 5

export interface Withdrawal {
  database: 'postgres' | 'pglite'
  readers: number
  withdrawals: number
  failed: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  readsAfterWithdrawal: number
  leaks: number
}

async function call(base: string, method: string, path: string, authorization: string, body?: object) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

/** A nurse and a young person with an account; the intake consent covers another agency, so the nurse reads only under grants made here. */
async function seed(app: FastifyInstance, base: string) {
  const stamp = randomUUID()
  const token = (subject: string) => `Bearer ${mintToken(app.config.jwt, { subject, ttlSeconds: 3600 })}`
  await app.database.transaction((tx) => createAccount(tx, 'admin', `bench-admin-${stamp}`))
  const admin = token(`bench-admin-${stamp}`)
  const agency = (await call(base, 'POST', '/v1/agencies', admin, { name: 'Bench health', kind: 'health_services' })).body
  const counselling = (await call(base, 'POST', '/v1/agencies', admin, { name: 'Bench counselling', kind: 'youth_work' })).body
  const professional = async (agencyId: string, role: string, name: string) => {
    const subject = `bench-${name}-${stamp}`
    const row = (await call(base, 'POST', '/v1/professionals', admin, { agencyId, role, displayName: name, subject })).body
    return { id: row.id as string, authorization: token(subject) }
  }
  const nurse = await professional(agency.id, 'nurse', 'nurse')
  const counsellor = await professional(counselling.id, 'youth_counsellor', 'counsellor')
  const subject = `bench-yp-${stamp}`
  const person = await call(base, 'POST', '/v1/young-persons', counsellor.authorization, {
    givenName: 'Bench',
    familyName: 'Person',
    birthDate: '2004-01-01',
    subject,
    consent: { grantee: { professionalId: counsellor.id }, categories: ['identity'], actions: ['read'], purpose: 'Benchmark', evidence: 'BENCH' },
  })
  if (person.status !== 201) throw new Error(`seeding failed: ${person.status} ${JSON.stringify(person.body)}`)
  return { nurse, youngPerson: { id: person.body.id as string, authorization: token(subject) } }
}

async function measure(url: string | undefined): Promise<Withdrawal> {
  const config = testConfig({ databaseUrl: url, rateLimitPerMinute: 1_000_000, dbPoolSize: READERS + 2 })
  const app = await buildApp(config, url ? {} : { pglite: await PGlite.create() })
  try {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const { nurse, youngPerson } = await seed(app, base)
    const read = () => call(base, 'GET', `/v1/young-persons/${youngPerson.id}`, nurse.authorization)
    const times: number[] = []
    let failed = 0
    let readsAfter = 0
    let leaks = 0
    for (let round = 0; round < ROUNDS; round++) {
      const consent = await call(base, 'POST', `/v1/young-persons/${youngPerson.id}/consents`, youngPerson.authorization, {
        grantee: { professionalId: nurse.id },
        categories: ['identity'],
        actions: ['read'],
        purpose: 'Benchmark',
      })
      let answeredAt = Number.POSITIVE_INFINITY
      let seen = 0
      const reader = async () => {
        let after = 0
        while (after < READS_AFTER) {
          const startedAt = performance.now()
          const res = await read()
          if (res.status === 200) seen++
          if (startedAt > answeredAt) {
            after++
            readsAfter++
            if (res.status !== 404) leaks++
          }
        }
      }
      const readers = Array.from({ length: READERS }, reader)
      while (seen < READERS) await new Promise((resolve) => setTimeout(resolve, 1))
      const startedAt = performance.now()
      const revoke = await call(base, 'POST', `/v1/consents/${consent.body.id}/revoke`, youngPerson.authorization, {})
      answeredAt = performance.now()
      if (revoke.status === 200) times.push(answeredAt - startedAt)
      else failed++
      await Promise.all(readers)
    }
    const sorted = times.sort((a, b) => a - b)
    const at = (q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN) * 10) / 10
    return {
      database: url ? 'postgres' : 'pglite',
      readers: READERS,
      withdrawals: ROUNDS,
      failed,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: at(1),
      readsAfterWithdrawal: readsAfter,
      leaks,
    }
  } finally {
    await app.close()
  }
}

/** On an embedded PGlite, or on a scratch database of the server at DATABASE_URL (dropped after). */
export function benchWithdrawal(): Promise<Withdrawal> {
  return withScratchDatabase('polku_bench_withdrawal', measure)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchWithdrawal(), null, 2))
}
