// build(t): a Polku app on a fresh, migrated database, closed (and dropped) when the test ends.
import { appendFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { mintToken } from '../src/auth/tokens.js'
import { type Config, testConfig } from '../src/config.js'
import { watchContract } from './contract/response-contract.js'
import { createPostgresDatabase, openPgliteFromTemplate } from './setup/databases.js'

export interface Test {
  teardown(fn: () => unknown): void
}

export interface BuildOptions {
  config?: Partial<Config>
  /** Receives every log line (JSON) the app writes. */
  logs?: string[]
  /** PostgreSQL only: rewrites the fresh database's URL, e.g. to reach it through a proxy. */
  databaseUrlVia?: (url: string) => string
}

/** Which database the suite runs on: TEST_DATABASE_URL (PostgreSQL) or embedded PGlite. */
export const onPostgres = process.env.TEST_DATABASE_URL !== undefined && process.env.TEST_DATABASE_URL !== ''

/**
 * Call at the top of a file whose processes always use an embedded database, whatever the run:
 * it runs once, in the PGlite run, instead of the same thing twice.
 */
export function embeddedDatabaseOnly(t: { plan(n: number, reason?: string): void }): void {
  if (onPostgres) t.plan(0, 'its processes use an embedded database in any run: it runs in the PGlite run')
}

/**
 * Call at the top of a file whose subject never reaches the database (the OpenAPI document and the
 * reference page built from it): the same on either database, it runs once, in the PGlite run.
 */
export function databaseIndependent(t: { plan(n: number, reason?: string): void }): void {
  if (onPostgres) t.plan(0, 'what it tests never reaches the database: it runs in the PGlite run')
}

export async function build(t: Test, options: BuildOptions = {}): Promise<FastifyInstance> {
  const logStream = options.logs
    ? new Writable({
        write(chunk, _encoding, done) {
          options.logs!.push(...String(chunk).split('\n').filter(Boolean))
          done()
        },
      })
    : undefined
  const logLevel = options.logs ? 'info' : 'silent'
  if (onPostgres) {
    const database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!)
    const databaseUrl = options.databaseUrlVia ? options.databaseUrlVia(database.url) : database.url
    const app = await buildApp(testConfig({ logLevel, ...options.config, databaseUrl }), { logStream })
    const contract = watchContract(app)
    t.teardown(async () => {
      await app.close()
      await database.drop()
      failOnDrift(contract.violations)
    })
    return app
  }
  const pglite = await openPgliteFromTemplate()
  const app = await buildApp(testConfig({ logLevel, ...options.config, databaseUrl: undefined }), { pglite, logStream })
  const contract = watchContract(app)
  t.teardown(async () => {
    await app.close()
    failOnDrift(contract.violations)
  })
  return app
}

/** Every response of every test is checked against openapi's document: one that drifts fails the test. */
function failOnDrift(violations: string[]): void {
  if (process.env.CONTRACT_REPORT) appendFileSync(process.env.CONTRACT_REPORT, violations.map((v) => `${v}\n`).join(''))
  if (violations.length > 0) throw new Error(`Responses that do not match openapi/openapi.json:\n${violations.join('\n')}`)
}

/** A token for `subject`, signed like the operator CLI signs them. */
export function tokenFor(app: FastifyInstance, subject: string, ttlSeconds = 600): string {
  return mintToken(app.config.jwt, { subject, ttlSeconds })
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` }
}
