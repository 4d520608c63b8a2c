// npm run bench:scale: caseload page p99 and the single audited read on seeded bench data against a near-empty database.
import { performance } from 'node:perf_hooks'
import { sql } from 'drizzle-orm'
import { buildApp } from '../src/app.js'
import { mintToken } from '../src/auth/tokens.js'
import { testConfig } from '../src/config.js'
import { queryRows } from '../src/db/client.js'
import { withScratchDatabase } from './scratch.js'
import { SEED_SUBJECT, scaleArgument, seedDatabase } from './seed.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 1000)

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100) / 100
  return { p50: at(0.5), p99: at(0.99) }
}

interface Side {
  caseloadPageMs: { p50: number; p99: number }
  singleReadMs: { p50: number; p99: number }
}

/**
 * Sequential requests through the whole stack (app.inject), in two parts:
 * - single reads of held young persons, alternating request by request between the near-empty and the
 *   seeded database: both see the same machine at the same moments, so a change in its speed during
 *   the run moves both alike (their ratio is the target);
 * - caseload pages, each database's app alone in the process, as a service runs (its p99 is the target:
 *   a second app's heap in the same process would add its garbage collections to the tail).
 */
export async function measure(emptyUrl: string, seededUrl: string): Promise<{ empty: Side; seeded: Side }> {
  const reads = await alternatingReads([emptyUrl, seededUrl])
  const pages = [await caseloadAlone(emptyUrl), await caseloadAlone(seededUrl)]
  return { empty: { caseloadPageMs: pages[0]!, singleReadMs: reads[0]! }, seeded: { caseloadPageMs: pages[1]!, singleReadMs: reads[1]! } }
}

async function alternatingReads(urls: string[]) {
  const sides = []
  try {
    for (const url of urls) sides.push(await client(url))
    const samples = sides.map(() => [] as number[])
    for (let i = 0; i < RUNS + 20; i++) {
      for (const [s, side] of sides.entries()) {
        const one = await side.timed(`/v1/young-persons/${side.held[i % side.held.length]!.id}`)
        if (i >= 20) samples[s]!.push(one)
      }
    }
    return samples.map(stats)
  } finally {
    for (const side of sides) await side.app.close()
  }
}

async function caseloadAlone(url: string) {
  const side = await client(url)
  try {
    const samples: number[] = []
    for (let i = 0; i < RUNS + 20; i++) {
      const page = await side.timed('/v1/caseload?limit=50')
      if (i >= 20) samples.push(page)
    }
    return stats(samples)
  } finally {
    await side.app.close()
  }
}

/** One app on one database, as the seeded professional. */
async function client(url: string) {
  // The per-caller rate limit would stop a few thousand back-to-back requests; this measures the work, not the limit.
  const app = await buildApp(testConfig({ databaseUrl: url, rateLimitPerMinute: 1_000_000 }))
  const headers = { authorization: `Bearer ${mintToken(app.config.jwt, { subject: SEED_SUBJECT, ttlSeconds: 3600 })}` }
  const held = await queryRows<{ id: string }>(
    app.database.db,
    sql`select c.young_person_id as id from consents c join professionals p on p.id = c.grantee_professional_id join accounts a on a.id = p.account_id
        where a.subject = ${SEED_SUBJECT} limit 200`,
  )
  const timed = async (path: string) => {
    const start = performance.now()
    const res = await app.inject({ url: path, headers })
    if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`)
    return performance.now() - start
  }
  return { app, held, timed }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!process.env.DATABASE_URL) {
    console.error('bench:scale needs DATABASE_URL: a PostgreSQL server on which it creates (and drops) two scratch databases (one with BENCH_SEEDED_URL)')
    process.exit(2)
  }
  const scale = scaleArgument(process.argv)
  // BENCH_SEEDED_URL: a database `bench:seed` already filled, measured as it is (each run appends its audit events to it).
  const reused = process.env.BENCH_SEEDED_URL
  const { empty, seeded } = await withScratchDatabase('polku_scale_empty', async (emptyUrl) => {
    await seedDatabase(emptyUrl!, 1e-7)
    if (reused) return measure(emptyUrl!, reused)
    return withScratchDatabase('polku_scale_seeded', async (url) => {
      const started = Date.now()
      const counts = await seedDatabase(url!, scale, (line) => console.log(`seeding ${line}`))
      console.log(`seeded in ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(counts)}`)
      return measure(emptyUrl!, url!)
    })
  })
  console.table({ empty: { ...empty.caseloadPageMs, read: empty.singleReadMs.p50 }, seeded: { ...seeded.caseloadPageMs, read: seeded.singleReadMs.p50 } })
  console.log(`${reused ? 'seeded database reused' : `scale ${scale}`}, ${RUNS} sequential requests of each kind on each: single reads alternating between the two databases, caseload pages one app at a time`)
  console.log(`caseload page p99 on seeded data: ${seeded.caseloadPageMs.p99} ms (target < 20 ms)`)
  console.log(
    `single read p50 seeded / empty: ${seeded.singleReadMs.p50} / ${empty.singleReadMs.p50} ms = ${(seeded.singleReadMs.p50 / empty.singleReadMs.p50).toFixed(2)}× (target ≤ 1.5×); p99 ${seeded.singleReadMs.p99} / ${empty.singleReadMs.p99} ms`,
  )
}
