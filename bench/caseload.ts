// A caseload page for a professional with 5,000 consents among 50,000 others: timing and the query plans.
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import type { FastifyInstance } from 'fastify'
import postgres from 'postgres'
import { buildApp } from '../src/app.js'
import type { Principal } from '../src/auth/principal.js'
import { mintToken } from '../src/auth/tokens.js'
import { abilityFor } from '../src/authz/index.js'
import { testConfig } from '../src/config.js'
import { type Db, queryRows } from '../src/db/client.js'
import * as schema from '../src/db/schema/index.js'
import { pageRequest } from '../src/http/pagination.js'
import { insertAgency, insertProfessional } from '../src/modules/registry/registry.queries.js'
import { caseload } from '../src/authz/data/young-persons.queries.js'

const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 25_000)
const HELD = Number(process.env.BENCH_CONSENTS ?? 5_000)
const NOISE_PER_PERSON = 2
const RUNS = 20
const INDEXES = ['consents_professional_open_idx', 'consents_agency_open_idx'] as const

export interface CaseloadBench {
  database: 'pglite' | 'postgres'
  youngPersons: number
  consents: number
  heldActive: number
  firstPageMs: { median: number; p95: number }
  secondPageMs: { median: number; p95: number }
  /** The one statement that reads the page and the total. */
  statementMs: number
  indexesUsed: Record<(typeof INDEXES)[number], boolean>
  plan: string
}

interface Seeded {
  principal: Extract<Principal, { kind: 'professional' }>
  subject: string
}

async function seed(app: FastifyInstance): Promise<Seeded> {
  const db = app.database.db
  const subject = `bench-${randomUUID()}`
  const own = await app.database.transaction(async (tx) => {
    const agency = await insertAgency(tx, { name: 'Bench employment services', kind: 'employment_service' })
    const pro = await insertProfessional(tx, { agencyId: agency.id, role: 'youth_counsellor', displayName: 'Bench Counsellor', subject, centreIds: [] })
    const others: string[] = []
    for (let a = 0; a < 10; a++) {
      const other = await insertAgency(tx, { name: `Bench agency ${a}`, kind: 'social_services' })
      for (let p = 0; p < 5; p++) {
        others.push((await insertProfessional(tx, { agencyId: other.id, role: 'social_worker', displayName: `Other ${a}.${p}`, subject: `bench-${randomUUID()}`, centreIds: [] })).id)
      }
    }
    const [row] = await queryRows<{ account_id: string }>(tx, sql`select account_id from professionals where id = ${pro.id}`)
    return { agencyId: agency.id, professionalId: pro.id, accountId: row!.account_id, others }
  })
  const others = sql`${`{${own.others.join(',')}}`}::uuid[]`
  await db.execute(
    sql`insert into young_persons (given_name, family_name, birth_date, created_at)
        select 'Bench', 'Person ' || g, date '2004-01-01', now() - make_interval(secs => g) from generate_series(1, ${PEOPLE}) g`,
  )
  const consentColumns = sql`(young_person_id, grantee_professional_id, grantee_agency_id, categories, actions, purpose, method, evidence, granted_by_account_id, valid_from, valid_until, revoked_at)`
  // The caller's own: 80 % to them by name, 20 % to their agency, then as many again that were revoked.
  await db.execute(
    sql`insert into consents ${consentColumns}
        select id, case when n % 5 <> 0 or n > ${HELD} then ${own.professionalId}::uuid end, case when n % 5 = 0 and n <= ${HELD} then ${own.agencyId}::uuid end,
          '{identity,pathway,employment}', '{read,write}', 'bench', 'in_person', 'FORM', ${own.accountId}, now() - interval '1 day', now() + interval '300 days',
          case when n > ${HELD} then now() end
        from (select id, row_number() over (order by id) as n from young_persons) yp where n <= ${HELD * 1.4}`,
  )
  // Everyone else's: two consents per young person to other professionals, one in ten of them ended.
  await db.execute(
    sql`insert into consents ${consentColumns}
        select y.id, (${others})[1 + floor(random() * ${own.others.length})::int], null, '{pathway}', '{read}', 'bench', 'in_person', 'FORM', ${own.accountId},
          now() - interval '1 day', now() + interval '200 days', case when random() < 0.1 then now() end
        from young_persons y cross join generate_series(1, ${NOISE_PER_PERSON})`,
  )
  await db.execute(sql`analyze`)
  return {
    subject,
    principal: { kind: 'professional', accountId: own.accountId, professionalId: own.professionalId, agencyId: own.agencyId, role: 'youth_counsellor', displayName: 'Bench Counsellor' },
  }
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10
  return { median: at(0.5), p95: at(0.95) }
}

/** The SQL drizzle sends for the caseload page with its total, captured by a logger on the same connection. */
async function caseloadStatement(db: Db, principal: Principal) {
  const captured = (db as unknown as { __captured: { sql: string; params: unknown[] }[] }).__captured
  captured.length = 0
  const ability = abilityFor(principal)
  await caseload(db, ability, principal, pageRequest({ limit: 50 }))
  if (captured.length !== 1) throw new Error(`the caseload sent ${captured.length} statements, expected one`)
  return captured[0]!
}

async function measure(kind: 'pglite' | 'postgres', app: FastifyInstance, logged: Db, explain: (text: string, params: unknown[]) => Promise<string[]>): Promise<CaseloadBench> {
  const { principal, subject } = await seed(app)
  const headers = { authorization: `Bearer ${mintToken(app.config.jwt, { subject, ttlSeconds: 3600 })}` }
  const time = async (url: string) => {
    const start = performance.now()
    const res = await app.inject({ url, headers })
    if (res.statusCode !== 200) throw new Error(`caseload: ${res.statusCode} ${res.body}`)
    return { ms: performance.now() - start, body: res.json() as { total: number; nextCursor: string | null; items: unknown[] } }
  }
  const first: number[] = []
  const second: number[] = []
  let total = 0
  for (let i = 0; i < RUNS + 3; i++) {
    const a = await time('/v1/caseload?limit=50')
    const b = await time(`/v1/caseload?limit=50&cursor=${encodeURIComponent(a.body.nextCursor!)}`)
    total = a.body.total
    if (i >= 3) {
      first.push(a.ms)
      second.push(b.ms)
    }
  }
  if (total !== HELD) throw new Error(`caseload total ${total}, expected ${HELD}`)
  const statement = await caseloadStatement(logged, principal)
  const plan = (await explain(statement.sql, statement.params)).join('\n')
  const [counts] = await queryRows<{ people: number; consents: number }>(app.database.db, sql`select (select count(*)::int from young_persons) as people, (select count(*)::int from consents) as consents`)
  return {
    database: kind,
    youngPersons: counts!.people,
    consents: counts!.consents,
    heldActive: total,
    firstPageMs: stats(first),
    secondPageMs: stats(second),
    statementMs: Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? Number.NaN),
    indexesUsed: { consents_professional_open_idx: plan.includes(INDEXES[0]), consents_agency_open_idx: plan.includes(INDEXES[1]) },
    plan,
  }
}

function capturing<T extends Db>(make: (logger: { logQuery(query: string, params: unknown[]): void }) => T): T {
  const captured: { sql: string; params: unknown[] }[] = []
  const db = make({ logQuery: (query, params) => captured.push({ sql: query, params }) })
  Object.assign(db, { __captured: captured })
  return db
}

const EXPLAIN = 'explain (analyze, buffers, costs off, timing off, summary on) '

/** On an in-memory PGlite, or on a scratch database of the server at DATABASE_URL (dropped after). */
export async function benchCaseload(): Promise<CaseloadBench> {
  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) {
    const pglite = await PGlite.create()
    const app = await buildApp(testConfig({ databaseUrl: undefined }), { pglite })
    try {
      const logged = capturing((logger) => drizzlePglite(pglite, { schema, casing: 'snake_case', logger }) as unknown as Db)
      return await measure('pglite', app, logged, async (text, params) => {
        const result = await pglite.query<{ 'QUERY PLAN': string }>(EXPLAIN + text, params)
        return result.rows.map((r) => r['QUERY PLAN'])
      })
    } finally {
      await app.close()
    }
  }
  const name = `polku_bench_${process.pid}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${name}"`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const client = postgres(url.toString(), { max: 1, onnotice: () => {} })
  try {
    const app = await buildApp(testConfig({ databaseUrl: url.toString() }))
    try {
      const logged = capturing((logger) => drizzlePostgres(client, { schema, casing: 'snake_case', logger }) as unknown as Db)
      return await measure('postgres', app, logged, async (text, params) => {
        const rows = await client.unsafe(EXPLAIN + text, params as never[])
        return rows.map((r) => String(r['QUERY PLAN']))
      })
    } finally {
      await app.close()
    }
  } finally {
    await client.end({ timeout: 5 })
    await admin.unsafe(`drop database if exists "${name}" with (force)`)
    await admin.end({ timeout: 5 })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchCaseload()
  const { plan, ...summary } = result
  console.log(JSON.stringify(summary, null, 2))
  console.log(`\nEXPLAIN caseload page and total:\n${plan}`)
  if (!Object.values(result.indexesUsed).every(Boolean)) process.exitCode = 1
}
