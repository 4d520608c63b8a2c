// npm run bench:seed: fills the PostgreSQL database at DATABASE_URL with bench-scale data (generate_series), refusing a non-empty one.
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import type { FastifyInstance } from 'fastify'
import postgres from 'postgres'
import { buildApp } from '../src/app.js'
import { testConfig } from '../src/config.js'
import { queryRows } from '../src/db/client.js'
import { insertAgency, insertProfessional } from '../src/modules/registry/registry.queries.js'

/** The professional whose caseload the scale bench reads: 5,000 open consents. */
export const SEED_SUBJECT = 'bench-seed-counsellor'

export interface SeedCounts {
  youngPersons: number
  consents: number
  held: number
  auditEvents: number
  notes: number
}

export function seedCounts(scale: number): SeedCounts {
  const n = (full: number) => Math.max(1, Math.round(full * scale))
  const youngPersons = n(1_000_000)
  // The caseload stays 5,000 at any scale (what a page costs depends on it), bounded by the people there are.
  const held = Math.min(5_000, youngPersons)
  return { youngPersons, consents: Math.max(held + 1, n(2_000_000)), held, auditEvents: n(10_000_000), notes: n(2_000_000) }
}

/**
 * Seeds through the app's own migrations and registry queries, then bulk rows with generate_series.
 * Audit events are bulk rows with random hashes, not hash chains: `audit:verify` is not meaningful on
 * seeded data (chaining ten million SHA-256 links one by one would take longer than the bench itself).
 */
export async function seedDatabase(url: string, scale: number, log: (line: string) => void = () => {}): Promise<SeedCounts> {
  const counts = seedCounts(scale)
  const app: FastifyInstance = await buildApp(testConfig({ databaseUrl: url }))
  // Bulk statements on one session of their own (the temporary table) without the app's statement timeout.
  const client = postgres(url, { max: 1, onnotice: () => {}, connection: { statement_timeout: 0 } })
  try {
    const db = drizzle(client)
    const [existing] = await queryRows<{ n: number }>(app.database.db, sql`select count(*)::int as n from (select 1 from young_persons limit 1) x`)
    if (existing!.n > 0) throw new Error('bench:seed refuses a database that already holds young persons; seed an empty one')
    const own = await app.database.transaction(async (tx) => {
      const agency = await insertAgency(tx, { name: 'Bench employment services', kind: 'employment_service' })
      const pro = await insertProfessional(tx, { agencyId: agency.id, role: 'youth_counsellor', displayName: 'Bench Counsellor', subject: SEED_SUBJECT, centreIds: [] })
      const others: string[] = []
      for (let a = 0; a < 10; a++) {
        const other = await insertAgency(tx, { name: `Bench agency ${a}`, kind: 'social_services' })
        for (let p = 0; p < 5; p++) {
          others.push((await insertProfessional(tx, { agencyId: other.id, role: 'social_worker', displayName: `Other ${a}.${p}`, subject: `bench-seed-${a}-${p}`, centreIds: [] })).id)
        }
      }
      const [row] = await queryRows<{ account_id: string }>(tx, sql`select account_id from professionals where id = ${pro.id}`)
      return { professionalId: pro.id, accountId: row!.account_id, others }
    })
    const others = sql`${`{${own.others.join(',')}}`}::uuid[]`
    const pick = sql`(${others})[1 + floor(random() * ${own.others.length})::int]`
    log(`young persons: ${counts.youngPersons}`)
    await db.execute(
      sql`insert into young_persons (given_name, family_name, birth_date, created_at)
          select 'Bench', 'Person ' || g, date '2004-01-01' + (g % 3000), now() - make_interval(secs => g) from generate_series(1, ${counts.youngPersons}) g`,
    )
    // A numbered view of the young persons, so bulk rows can point at the n-th one.
    await db.execute(sql`create temporary table seed_people as select row_number() over (order by id) as n, id from young_persons`)
    await db.execute(sql`create index on seed_people (n)`)
    const columns = sql`(young_person_id, grantee_professional_id, categories, actions, purpose, method, evidence, granted_by_account_id, valid_from, valid_until, revoked_at)`
    log(`consents: ${counts.held} held by one professional, ${counts.consents} in all`)
    await db.execute(
      sql`insert into consents ${columns}
          select id, ${own.professionalId}::uuid, '{identity,pathway,employment}', '{read,write}', 'bench', 'in_person', 'FORM', ${own.accountId},
            now() - interval '1 day', now() + interval '300 days', null
          from seed_people where n <= ${counts.held}`,
    )
    // Everyone else's consents, one in ten ended, spread over all young persons.
    await db.execute(
      sql`insert into consents ${columns}
          select p.id, ${pick}, '{pathway}', '{read}', 'bench', 'in_person', 'FORM', ${own.accountId},
            now() - interval '1 day', now() + interval '200 days', case when random() < 0.1 then now() end
          from generate_series(1, ${counts.consents - counts.held}) g join seed_people p on p.n = 1 + (g % ${counts.youngPersons})`,
    )
    log(`notes: ${counts.notes}`)
    await db.execute(
      sql`insert into notes (young_person_id, category, body, author_professional_id, created_at)
          select p.id, 'pathway', 'Bench note ' || g, ${pick}, now() - make_interval(secs => g)
          from generate_series(1, ${counts.notes}) g join seed_people p on p.n = 1 + (g % ${counts.youngPersons})`,
    )
    log(`audit events: ${counts.auditEvents}`)
    await db.execute(
      sql`insert into audit_events (id, chain, seq, occurred_at, actor_account_id, actor_kind, action, resource_type, resource_id, young_person_id, consent_ids, outcome, hash)
          select gen_random_uuid(), p.id::text, 1 + g / ${counts.youngPersons}, now() - make_interval(secs => ${counts.auditEvents} - g), ${own.accountId},
            'professional', 'read', 'YoungPerson', p.id::text, p.id, '{}', 'allowed', md5(g::text) || md5(p.id::text)
          from generate_series(0, ${counts.auditEvents - 1}) g join seed_people p on p.n = 1 + (g % ${counts.youngPersons})`,
    )
    // Each chain's head, so the app's appends continue the seeded sequences.
    await db.execute(
      sql`insert into audit_heads (chain, seq, hash)
          select distinct on (chain) chain, seq, hash from audit_events order by chain, seq desc`,
    )
    await db.execute(sql`drop table seed_people`)
    // As autovacuum leaves a live database: statistics, and a visibility map that lets index-only scans skip the heap.
    log('vacuum analyze')
    await db.execute(sql`vacuum (analyze)`)
    return counts
  } finally {
    await client.end({ timeout: 5 })
    await app.close()
  }
}

export function scaleArgument(argv: string[]): number {
  const at = argv.indexOf('--scale')
  const scale = at >= 0 ? Number(argv[at + 1]) : 1
  if (!(scale > 0 && scale <= 1)) throw new Error('--scale takes a factor in (0, 1]')
  return scale
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL
  if (!url) {
    console.error('bench:seed needs DATABASE_URL: the PostgreSQL database to fill (it must hold no young persons)')
    process.exit(2)
  }
  const probe = postgres(url, { max: 1, onnotice: () => {} })
  await probe`select 1`.finally(() => probe.end({ timeout: 5 }))
  const started = Date.now()
  const counts = await seedDatabase(url, scaleArgument(process.argv), (line) => console.log(`seeding ${line}`))
  console.log(JSON.stringify({ ...counts, seconds: Math.round((Date.now() - started) / 1000) }))
}
