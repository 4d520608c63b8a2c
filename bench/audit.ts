// What the audit trail costs: the same reads and writes with and without their audit event, on PGlite and PostgreSQL.
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { eq } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import postgres from 'postgres'
import type { Principal } from '../src/auth/principal.js'
import { testConfig } from '../src/config.js'
import { type Database, openDatabase, type Tx } from '../src/db/client.js'
import { notes, professionals, youngPersons } from '../src/db/schema/index.js'
import { recordAudit } from '../src/modules/audit/audit.writer.js'
import { insertAgency, insertProfessional } from '../src/modules/registry/registry.queries.js'

export interface AuditBenchRow {
  database: 'pglite' | 'postgres'
  case: string
  ops: number
  plainMicros: number
  auditedMicros: number
  overheadMicros: number
  overheadPercent: number
}

const PEOPLE = 50
const ROUNDS = 5

interface Fixture {
  principal: Principal
  people: string[]
  notesOf: Map<string, string>
}

async function seed(database: Database): Promise<Fixture> {
  return database.transaction(async (tx) => {
    const agency = await insertAgency(tx, { name: 'Bench agency', kind: 'health_services' })
    const pro = await insertProfessional(tx, { agencyId: agency.id, role: 'nurse', displayName: 'Bench Nurse', subject: `bench-${randomUUID()}`, centreIds: [] })
    const [account] = await tx.select({ id: professionals.accountId }).from(professionals).where(eq(professionals.id, pro.id))
    const principal: Principal = { kind: 'professional', accountId: account!.id, professionalId: pro.id, agencyId: agency.id, role: 'nurse', displayName: 'Bench Nurse' }
    const people: string[] = []
    const notesOf = new Map<string, string>()
    for (let i = 0; i < PEOPLE; i++) {
      const [person] = await tx.insert(youngPersons).values({ givenName: 'Bench', familyName: `Person ${i}`, birthDate: '2004-01-01' }).returning({ id: youngPersons.id })
      const [note] = await tx.insert(notes).values({ youngPersonId: person!.id, category: 'health', body: 'A note body of ordinary length.', authorProfessionalId: pro.id }).returning({ id: notes.id })
      people.push(person!.id)
      notesOf.set(person!.id, note!.id)
    }
    return { principal, people, notesOf }
  })
}

type Op = (tx: Tx, youngPersonId: string) => Promise<unknown>

function cases(f: Fixture): { name: string; plain: Op; audited: (request: FastifyRequest) => Op }[] {
  const readNote: Op = (tx, yp) => tx.select().from(notes).where(eq(notes.id, f.notesOf.get(yp)!))
  const writeNote: Op = (tx, yp) => tx.insert(notes).values({ youngPersonId: yp, category: 'health', body: 'Bench note.', authorProfessionalId: (f.principal as { professionalId: string }).professionalId })
  const event = (action: string, yp: string) => ({ action, resourceType: 'Note', resourceId: f.notesOf.get(yp)!, youngPersonId: yp, category: 'health', consentIds: [], outcome: 'allowed' as const })
  // Audited ops run their statements one after the other, as a route does.
  const then = (op: Op, action: string) => (r: FastifyRequest) => async (tx: Tx, yp: string) => {
    await op(tx, yp)
    await recordAudit(tx, r, [event(action, yp)])
  }
  return [
    { name: 'read one note', plain: readNote, audited: then(readNote, 'read') },
    { name: 'write one note', plain: writeNote, audited: then(writeNote, 'create') },
  ]
}

async function timeSequential(database: Database, op: Op, people: string[], n: number): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < n; i++) await database.transaction((tx) => op(tx, people[i % people.length]!))
  return ((performance.now() - start) * 1000) / n
}

/** Wall time per operation with `workers` transactions in flight, each on its own young person or all on one. */
async function timeConcurrent(database: Database, op: Op, people: string[], n: number, workers: number): Promise<number> {
  const start = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (next < n) {
        next++
        await database.transaction((tx) => op(tx, people[w % people.length]!))
      }
    }),
  )
  return ((performance.now() - start) * 1000) / n
}

async function measure(kind: 'pglite' | 'postgres', database: Database, n: number): Promise<AuditBenchRow[]> {
  const fixture = await seed(database)
  const request = { id: 'bench', principal: fixture.principal } as unknown as FastifyRequest
  const rows: AuditBenchRow[] = []
  const row = (name: string, plainMicros: number, auditedMicros: number) =>
    rows.push({
      database: kind,
      case: name,
      ops: n,
      plainMicros: Math.round(plainMicros),
      auditedMicros: Math.round(auditedMicros),
      overheadMicros: Math.round(auditedMicros - plainMicros),
      overheadPercent: Math.round(((auditedMicros - plainMicros) / plainMicros) * 100),
    })
  // Plain and audited runs alternate in rounds, so a change in machine load does not favour either.
  const compare = async (name: string, time: (op: Op, count: number) => Promise<number>, plain: Op, audited: Op) => {
    await time(plain, Math.min(100, n))
    await time(audited, Math.min(100, n))
    let plainSum = 0
    let auditedSum = 0
    for (let round = 0; round < ROUNDS; round++) {
      plainSum += await time(plain, Math.ceil(n / ROUNDS))
      auditedSum += await time(audited, Math.ceil(n / ROUNDS))
    }
    row(name, plainSum / ROUNDS, auditedSum / ROUNDS)
  }
  const sequential = (op: Op, count: number) => timeSequential(database, op, fixture.people, count)
  for (const c of cases(fixture)) await compare(c.name, sequential, c.plain, c.audited(request))
  if (kind === 'postgres') {
    const [read] = cases(fixture)
    const one = fixture.people.slice(0, 1)
    await compare('read, 16 in flight, 16 young persons', (op, count) => timeConcurrent(database, op, fixture.people, count, 16), read!.plain, read!.audited(request))
    await compare('read, 16 in flight, one young person', (op, count) => timeConcurrent(database, op, one, count, 16), read!.plain, read!.audited(request))
  }
  return rows
}

/** Runs on an in-memory PGlite, and on a scratch database of the server at DATABASE_URL when it is set (dropped after). */
export async function benchAudit(n = Number(process.env.BENCH_OPS ?? 2000)): Promise<AuditBenchRow[]> {
  const rows: AuditBenchRow[] = []
  const pglite = await openDatabase(testConfig({ databaseUrl: undefined, dataDir: 'memory://' }), { migrate: true })
  try {
    rows.push(...(await measure('pglite', pglite, n)))
  } finally {
    await pglite.close()
  }
  const serverUrl = process.env.DATABASE_URL
  if (serverUrl) {
    // Audit events can never be deleted, so the benchmark never writes into a real database.
    const name = `polku_bench_${process.pid}`
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database "${name}"`)
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    try {
      const database = await openDatabase(testConfig({ databaseUrl: url.toString(), dbPoolSize: 20 }), { migrate: true })
      try {
        rows.push(...(await measure('postgres', database, n)))
      } finally {
        await database.close()
      }
    } finally {
      await admin.unsafe(`drop database if exists "${name}" with (force)`)
      await admin.end({ timeout: 5 })
    }
  }
  return rows
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchAudit()
  console.table(rows)
}
