// Migrated template databases for tests: a PGlite dump, or a PostgreSQL template database.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import { MIGRATIONS_FOLDER, migratePgliteClient, migratePostgresUrl } from '../../src/db/migrate.js'

/** Changes whenever a migration changes, so a stale template is never reused. */
export function migrationsHash(): string {
  const hash = createHash('sha256')
  for (const file of readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).sort()) {
    hash.update(file).update(readFileSync(join(MIGRATIONS_FOLDER, file)))
  }
  return hash.digest('hex').slice(0, 16)
}

export function pgliteTemplatePath(): string {
  return join(tmpdir(), `polku-template-${migrationsHash()}.tar.gz`)
}

export async function ensurePgliteTemplate(): Promise<string> {
  const path = pgliteTemplatePath()
  if (existsSync(path)) return path
  const pg = await PGlite.create()
  try {
    await migratePgliteClient(pg)
    const dump = await pg.dumpDataDir('gzip')
    const partial = `${path}.${process.pid}`
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()))
    renameSync(partial, path)
  } finally {
    await pg.close()
  }
  return path
}

export async function openPgliteFromTemplate(): Promise<PGlite> {
  const path = await ensurePgliteTemplate()
  return PGlite.create({ loadDataDir: new Blob([readFileSync(path)]) })
}

export function postgresTemplateName(): string {
  return `polku_template_${migrationsHash()}`
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** Creates (once) a migrated template database on the server at `serverUrl`. */
export async function ensurePostgresTemplate(serverUrl: string): Promise<string> {
  const name = postgresTemplateName()
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  try {
    const [row] = await admin`select 1 as found from pg_database where datname = ${name}`
    if (row) return name
    const building = `${name}_build_${process.pid}`
    await admin.unsafe(`create database "${building}"`)
    await migratePostgresUrl(withDatabase(serverUrl, building))
    try {
      await admin.unsafe(`alter database "${building}" rename to "${name}"`)
    } catch {
      // Another process finished first; its template is as good as ours.
      await admin.unsafe(`drop database if exists "${building}" with (force)`)
    }
    return name
  } finally {
    await admin.end({ timeout: 5 })
  }
}

/** A fresh database copied from the template; returns its URL and a function that drops it. */
export async function createPostgresDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const template = await ensurePostgresTemplate(serverUrl)
  const name = `polku_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`create database "${name}" template "${template}"`)
  } finally {
    await admin.end({ timeout: 5 })
  }
  return {
    url: withDatabase(serverUrl, name),
    drop: async () => {
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} })
      try {
        await cleanup.unsafe(`drop database if exists "${name}" with (force)`)
      } finally {
        await cleanup.end({ timeout: 5 })
      }
    },
  }
}

// Run directly (`npx tsx test/setup/databases.ts`), this prepares the templates ahead of a run.
if (import.meta.url === `file://${process.argv[1]}`) {
  await ensurePgliteTemplate()
  if (process.env.TEST_DATABASE_URL) await ensurePostgresTemplate(process.env.TEST_DATABASE_URL)
  writeFileSync(join(tmpdir(), 'polku-template-ready'), new Date().toISOString())
}
