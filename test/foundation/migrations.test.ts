// The drizzle schema and the committed SQL migrations agree: drizzle-kit has nothing new to generate.
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const MIGRATIONS = join(ROOT, 'migrations')
const DRIZZLE_KIT = join(ROOT, 'node_modules/.bin/drizzle-kit')

const sqlFiles = (folder: string) => readdirSync(folder).filter((file) => file.endsWith('.sql')).sort()

/** Runs `drizzle-kit generate` into `out`; returns its output (it exits 0 even on some failures). */
async function generateInto(out: string): Promise<string> {
  // drizzle-kit resolves `out` against the working directory, so it gets a relative path.
  const { stdout, stderr } = await promisify(execFile)(DRIZZLE_KIT, ['generate'], {
    cwd: ROOT,
    env: { ...process.env, POLKU_MIGRATIONS_OUT: relative(ROOT, out) },
    timeout: 60_000,
  })
  return `${stdout}\n${stderr}`
}

function scratchFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'polku-migrations-'))
  t.teardown(() => rmSync(folder, { recursive: true, force: true }))
  return folder
}

t.test('the committed migrations cover the whole schema', async (t) => {
  const folder = scratchFolder()
  cpSync(MIGRATIONS, folder, { recursive: true })
  const output = await generateInto(folder)
  t.notMatch(output, /Error:/, 'drizzle-kit ran cleanly')
  t.match(output, /No schema changes/, 'drizzle-kit found nothing to migrate')
  t.same(sqlFiles(folder), sqlFiles(MIGRATIONS), 'no new migration was generated; run `npm run db:generate` and commit it')
})

t.test('the check notices a schema change no migration covers', async (t) => {
  // An empty history stands in for a schema that moved on: drizzle-kit must write a migration.
  const folder = scratchFolder()
  mkdirSync(join(folder, 'meta'))
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries: [] }))
  await generateInto(folder)
  t.equal(sqlFiles(folder).length, 1, 'a new migration appears')
})

