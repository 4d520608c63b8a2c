// `npm run cli -- audit:head` and `audit:verify --against file`: output and exit codes, end to end.
import { spawnSync } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq, sql } from 'drizzle-orm'
import t from 'tap'
import { testConfig } from '../../src/config.js'
import { type Database, openDatabase } from '../../src/db/client.js'
import { auditEvents, auditHeads } from '../../src/db/schema/index.js'
import { auditVerifyCommand } from '../../src/modules/audit/audit.cli.js'
import { verifyAuditLog } from '../../src/modules/audit/audit.verify.js'
import { recordAudit } from '../../src/modules/audit/audit.writer.js'
import { onPostgres } from '../helper.js'
import { createPostgresDatabase } from '../setup/databases.js'
import { read, requestBy } from './fixtures.js'

t.test('the operator saves the heads and verifies against them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'polku-audit-cli-'))
  let env: Record<string, string>
  let open: () => Promise<Database>
  if (onPostgres) {
    const database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!)
    t.teardown(database.drop)
    env = { DATABASE_URL: database.url }
    open = () => openDatabase(testConfig({ databaseUrl: database.url }))
  } else {
    env = { DATABASE_URL: '', POLKU_DATA_DIR: join(dir, 'data') }
    open = () => openDatabase(testConfig({ databaseUrl: undefined, dataDir: join(dir, 'data') }), { migrate: true })
  }
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      // Outside explicit development the CLI needs a JWT secret of its own, as the server does.
      env: { ...process.env, ...env, NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_SECRET: randomBytes(32).toString('hex') },
      encoding: 'utf8',
    })
  const withDatabase = async (work: (database: Database) => Promise<unknown>) => {
    const database = await open()
    try {
      await work(database)
    } finally {
      await database.close()
    }
  }

  const person = randomUUID()
  let last = ''
  await withDatabase(async (database) => {
    for (const chain of [person, person, randomUUID()]) {
      await database.transaction((tx) => recordAudit(tx, requestBy(null), [read(chain)]))
    }
    const [row] = await database.db.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.chain, person)).orderBy(sql`seq desc`).limit(1)
    last = row!.id
  })

  const head = cli('audit:head')
  t.equal(head.status, 0, head.stderr)
  const saved = JSON.parse(head.stdout)
  t.equal(saved.chains, 2)
  const file = join(dir, 'head.json')
  writeFileSync(file, head.stdout)

  const intact = cli('audit:verify', '--against', file)
  t.equal(intact.status, 0, intact.stderr)
  t.equal(intact.stdout, 'audit log intact: 2 chains, 3 events, 2 saved heads in place\n')

  const edited = join(dir, 'edited.json')
  writeFileSync(edited, JSON.stringify({ ...saved, heads: saved.heads.filter((h: { chain: string }) => h.chain !== person) }))

  // The owner cuts the newest event and moves the head back to hide it.
  await withDatabase(async (database) => {
    await database.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger user`)
      const [previous] = await tx.select().from(auditEvents).where(eq(auditEvents.chain, person)).orderBy(auditEvents.seq).limit(1)
      await tx.delete(auditEvents).where(eq(auditEvents.id, last))
      await tx.update(auditHeads).set({ seq: 1, hash: previous!.hash }).where(eq(auditHeads.chain, person))
      await tx.execute(sql`alter table audit_events enable trigger user`)
    })
    t.match(await verifyAuditLog(database), { ok: true }, 'without the saved heads the cut is invisible')
    const errors: string[] = []
    t.equal(await auditVerifyCommand(database, edited, () => {}, (line) => errors.push(line)), 2, 'an edited snapshot is refused')
    t.match(errors, [/do not match its digest/])
  })

  const cut = cli('audit:verify', '--against', file)
  t.equal(cut.status, 1)
  t.equal(
    cut.stdout,
    `audit log BROKEN: missing_against_saved_head in chain ${person} at seq 2 (event ${last})\n` +
      '  the saved head is event 2 of this chain, but the chain now ends at 1\n' +
      '  checked before the break: 2 chains, 2 events\n',
  )
})
