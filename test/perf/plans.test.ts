// The hot statements are served by indexes: with sequential scans priced out, no plan falls back to one on a big table.
import type { PGlite } from '@electric-sql/pglite'
import { and, eq, type SQL, sql } from 'drizzle-orm'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import postgres from 'postgres'
import t from 'tap'
import { resolvePrincipal } from '../../src/auth/principal.js'
import { abilityFor, accessibleWhere } from '../../src/authz/index.js'
import { caseloadRead, caseloadSlots } from '../../src/authz/caseload-read.js'
import { readSlots, youngPersonRead } from '../../src/authz/record-read.js'
import { withdrawalStatement } from '../../src/authz/withdrawal.js'
import { type Db, queryRows } from '../../src/db/client.js'
import * as schema from '../../src/db/schema/index.js'
import { consents } from '../../src/db/schema/index.js'
import { pageRequest } from '../../src/http/pagination.js'
import { listAccessLog } from '../../src/authz/data/audit.queries.js'
import { listConsents } from '../../src/authz/data/consents.queries.js'
import { listNotes } from '../../src/authz/data/notes.queries.js'
import { timelinePage } from '../../src/authz/data/timeline.queries.js'
import { caseload } from '../../src/authz/data/young-persons.queries.js'
import { consentEventInsertFrom } from '../../src/modules/webhooks/outbox.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson } from '../factories.js'
import { build, onPostgres } from '../helper.js'

/** Tables that grow with use: a sequential scan on one of them would grow with it. */
const BIG = /Seq Scan on (consents|audit_events|audit_heads|notes|young_persons|accounts|professionals)\b/

/**
 * EXPLAIN without ANALYZE plans a statement's audit insert without running it; the planner avoids a
 * sequential scan whenever an index can serve, so one left in the plan means a missing index.
 */
async function planOf(app: FastifyInstance, statement: SQL): Promise<string> {
  return app.database.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`)
    const rows = await queryRows<{ 'QUERY PLAN': string }>(tx, sql`explain ${statement}`)
    return rows.map((r) => r['QUERY PLAN']).join('\n')
  })
}

t.test('the consent-checked, audited read of a young person uses indexes only', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Student health care' })
  const nurse = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })
  const yp = await createYoungPerson(app, nurse)
  const principal = await resolvePrincipal(app.database.db, nurse.subject, [])
  // A remembered principal: the statement also re-checks the caller's account.
  const request = { id: 'plan-test', principal, principalToVerify: { subject: nurse.subject, scopes: [], issuedAt: 0 } } as unknown as FastifyRequest
  const { statement } = youngPersonRead(request, readSlots(request, yp.id))

  const plan = await planOf(app, statement)
  t.match(plan, /Index (Only )?Scan|Bitmap Index Scan/, 'the plan reads through indexes')
  t.notMatch(plan, BIG, "no sequential scan on a growing table")
})

t.test('the caseload page, its total and its audit events are one statement that reads through indexes', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Youth guidance' })
  const counsellor = await createProfessional(app, admin, { agencyId: agency.id, role: 'youth_counsellor' })
  await createYoungPerson(app, counsellor)
  const principal = await resolvePrincipal(app.database.db, counsellor.subject, [])
  // A remembered principal: the statement also re-checks the caller's account.
  const request = { id: 'plan-test', principal, principalToVerify: { subject: counsellor.subject, scopes: [], issuedAt: 0 } } as unknown as FastifyRequest
  const statement = caseloadRead(request, abilityFor(principal!), caseloadSlots(request, pageRequest({ limit: 50 })))
  const plan = await planOf(app, statement)
  t.match(plan, /Insert on audit_events/, 'the events are appended by the same statement')
  t.match(plan, /consents_(professional|agency)_held_idx/, "driven from the caller's open consents")
  t.notMatch(plan, BIG, 'no sequential scan on a growing table')
})

t.test('a withdrawal is one statement that locks, decides, withdraws and audits through indexes', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Youth guidance' })
  const counsellor = await createProfessional(app, admin, { agencyId: agency.id, role: 'youth_counsellor' })
  const yp = await createYoungPerson(app, counsellor)
  const [consent] = await queryRows<{ id: string }>(app.database.db, sql`select id from consents where young_person_id = ${yp.id}`)
  const principal = await resolvePrincipal(app.database.db, counsellor.subject, [])
  // A remembered principal, re-checked in the statement; the partners' deliveries are inserted by it too.
  const request = { id: 'plan-test', principal, principalToVerify: { subject: counsellor.subject, scopes: [], issuedAt: 0 } } as unknown as FastifyRequest
  const announce = (withdrawn: SQL) => consentEventInsertFrom('consent.revoked', withdrawn, { reason: 'revoked' })
  const plan = await planOf(app, withdrawalStatement(app.database, request, consent!.id, announce))
  t.match(plan, /LockRows/, 'the consent is locked')
  t.match(plan, /Update on consents/, 'withdrawn')
  t.match(plan, /Insert on audit_events/, 'and audited by the same statement')
  t.notMatch(plan, BIG, 'no sequential scan on a growing table')
})

/**
 * The statements a route sends, captured by a drizzle logger on a second handle to the same
 * database, then EXPLAINed with their parameters on that handle.
 */
async function planner(app: FastifyInstance) {
  const captured: { sql: string; params: unknown[] }[] = []
  const logger = { logQuery: (query: string, params: unknown[]) => captured.push({ sql: query, params }) }
  if (app.database.kind === 'pglite') {
    const pglite = (app.database as unknown as { pglite: PGlite }).pglite
    const db = drizzlePglite(pglite, { schema, casing: 'snake_case', logger }) as unknown as Db
    const explain = async (text: string, params: unknown[]) => {
      // The test database holds a handful of rows, where a sequential scan is the cheaper plan;
      // pricing it out shows whether an index *could* serve, which is what a big table needs.
      await pglite.exec('set enable_seqscan = off')
      try {
        return (await pglite.query<{ 'QUERY PLAN': string }>(`explain ${text}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n')
      } finally {
        await pglite.exec('reset enable_seqscan')
      }
    }
    const analyze = async (text: string, params: unknown[]) => {
      await pglite.exec('set enable_seqscan = off')
      try {
        return firstPlan((await pglite.query<{ 'QUERY PLAN': unknown }>(`explain (analyze, format json) ${text}`, params)).rows[0]!['QUERY PLAN'])
      } finally {
        await pglite.exec('reset enable_seqscan')
      }
    }
    return { db, captured, explain, analyze, close: async () => {} }
  }
  // Same reason as above: one session of its own with sequential scans priced out.
  const client = postgres(app.config.databaseUrl!, { max: 1, onnotice: () => {}, connection: { enable_seqscan: 'off' } })
  const db = drizzlePostgres(client, { schema, casing: 'snake_case', logger }) as unknown as Db
  const explain = async (text: string, params: unknown[]) =>
    (await client.unsafe(`explain ${text}`, params as never[])).map((r) => String(r['QUERY PLAN'])).join('\n')
  const analyze = async (text: string, params: unknown[]) => firstPlan((await client.unsafe(`explain (analyze, format json) ${text}`, params as never[]))[0]!['QUERY PLAN'])
  return { db, captured, explain, analyze, close: () => client.end({ timeout: 5 }) }
}

/** The top node of an `EXPLAIN (ANALYZE, FORMAT JSON)` answer, parsed or not by the driver. Only for statements that write nothing. */
function firstPlan(answer: unknown): PlanNode {
  const parsed = (typeof answer === 'string' ? JSON.parse(answer) : answer) as { Plan: PlanNode }[]
  return parsed[0]!.Plan
}

t.test('the hot list statements use indexes: caseload, notes, timeline, consents, access log', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Student health care' })
  const nurse = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })
  const yp = await createYoungPerson(app, nurse, { withAccount: true })
  const principal = await resolvePrincipal(app.database.db, nurse.subject, [])
  const own = await resolvePrincipal(app.database.db, yp.actor!.subject, [])
  if (principal?.kind !== 'professional' || own?.kind !== 'young_person') throw new Error('fixtures did not resolve')
  const ability = abilityFor(principal)
  const page = pageRequest({ limit: 50 })
  const { db, captured, explain, close } = await planner(app)
  t.teardown(close)

  const cases: [string, () => Promise<unknown>][] = [
    ['caseload', () => caseload(db, ability, principal, page)],
    ['notes list', () => listNotes(db, yp.id, accessibleWhere(ability, principal, 'read', 'Note'), undefined, page)],
    ['timeline', () => timelinePage(db, ability, principal, yp.id, page)],
    ['consent list', () => listConsents(db, and(eq(consents.youngPersonId, yp.id), accessibleWhere(ability, principal, 'read', 'Consent')), page)],
    ['access log', () => listAccessLog(db, abilityFor(own), own, page, true)],
  ]
  for (const [name, run] of cases) {
    captured.length = 0
    await run()
    t.ok(captured.length > 0, `${name}: statements captured`)
    const plans: string[] = []
    for (const statement of captured) plans.push(await explain(statement.sql, statement.params))
    for (const plan of plans) t.notMatch(plan, BIG, `${name}: no sequential scan on a growing table`)
    t.match(plans.join('\n'), /Index (Only )?Scan|Bitmap Index Scan/, `${name}: read through indexes`)
  }
})

t.test("the caseload counts and pages its young persons from the caller's consents alone: only the page's young persons are read", async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Student health care' })
  const nurse = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })
  for (let i = 0; i < 4; i++) await createYoungPerson(app, nurse)
  const principal = await resolvePrincipal(app.database.db, nurse.subject, [])
  if (principal?.kind !== 'professional') throw new Error('fixtures did not resolve')
  const ability = abilityFor(principal)
  const { db, captured, analyze, close } = await planner(app)
  t.teardown(close)

  const { rows, total } = await caseload(db, ability, principal, pageRequest({ limit: 1 }))
  t.equal(captured.length, 1, 'the page and its total are one statement')
  t.same({ rows: rows.length, total }, { rows: 2, total: 4 }, 'the page (one more row for the cursor) and all four counted')
  const nodes = planNodes(await analyze(captured[0]!.sql, captured[0]!.params))
  const read = (relation: string) => nodes.filter((n) => n['Relation Name'] === relation)
  const youngPersonRows = read('young_persons').reduce((sum, n) => sum + Number(n['Actual Rows']) * Number(n['Actual Loops']), 0)
  t.equal(youngPersonRows, 2, "of the young persons' rows only the page's two are read: finding, counting and ordering them is done on the consents")
  // A way in: the caller's consents looked up by grantee (for the page, and for the total).
  const ways = read('consents').filter((n) => /^\(grantee_(professional|agency)_id = /.test(String(n['Index Cond'] ?? '')))
  t.same(ways.map((n) => n['Index Name']).sort(), ['consents_agency_held_idx', 'consents_agency_held_idx', 'consents_professional_held_idx', 'consents_professional_held_idx'], 'each way in along its own index, once for the page and once for the total')
  t.ok(ways.every((n) => n['Node Type'] === 'Index Only Scan'), 'from the index alone, not the consent rows')
})

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] }

/** Every node of an `EXPLAIN (FORMAT JSON)` plan. */
function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)]
}

t.test('the caseload page runs on its generic plan: planned once per connection, not again for every page', { skip: onPostgres ? false : "plan caching is PostgreSQL's: run with TEST_DATABASE_URL" }, async (t) => {
  // One connection: the test's own look at the prepared statements sees the one the pages used.
  const app = await build(t, { config: { dbPoolSize: 1 } })
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Youth guidance' })
  const counsellor = await createProfessional(app, admin, { agencyId: agency.id, role: 'youth_counsellor' })
  await createYoungPerson(app, counsellor)
  for (let i = 0; i < 7; i++) {
    const res = await app.inject({ url: '/v1/caseload?limit=50', headers: counsellor.headers })
    t.same({ status: res.statusCode, total: res.json().total }, { status: 200, total: 1 }, `page ${i + 1}`)
  }
  const plans = await app.database.statement<{ generic: number; custom: number }>(
    sql`select generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements where statement like '%insert into audit_heads%' and statement like '%held_page%'`,
  )
  t.equal(plans.length, 1, "the page's statement is prepared on the connection")
  t.same(plans[0], { generic: 7, custom: 0 }, 'its one generic plan served every page; none was planned for its values')
  const mode = async () => (await app.database.statement<{ plan_cache_mode: string }>(sql`show plan_cache_mode`))[0]?.plan_cache_mode
  t.equal(await mode(), 'auto', 'the connection went back to the pool with the default setting')
  // A statement that fails on its generic plan leaves neither the setting nor an open transaction behind.
  await t.rejects(app.database.statement(sql`select 1 / (select count(*) from consents where false)::int as n`, {}, { genericPlan: true }), /division by zero/)
  t.equal(await mode(), 'auto', 'after a failed statement too')
  t.same(await app.database.statement(sql`select 1 as one`), [{ one: 1 }], 'and the connection serves the next statement')
})
