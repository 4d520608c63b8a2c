// The database: PostgreSQL through postgres.js when DATABASE_URL is set, an embedded PGlite otherwise.
import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm'
import { type PgDatabase, PgDialect, type PgQueryResultHKT, type PgTransaction } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import type { Config } from '../config.js'
import { DatabaseUnavailableError } from '../errors.js'
import { migratePgliteClient, migratePostgresUrl } from './migrate.js'
import * as schema from './schema/index.js'

export type Schema = typeof schema
export type Db = PgDatabase<PgQueryResultHKT, Schema>
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>
/** Anything that runs queries: the database itself or an open transaction. */
export type Queryable = Db | Tx

export interface Database {
  readonly kind: 'postgres' | 'pglite'
  readonly db: Db
  /** Runs `work` in one transaction; waits at most DB_POOL_WAIT_MS for a connection. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>
  /**
   * Runs `work` on the database outside any explicit transaction: each statement is its own
   * transaction and one round trip (no BEGIN/COMMIT). Answers 503 if the database does not within
   * DB_POOL_WAIT_MS + DB_STATEMENT_TIMEOUT_MS.
   */
  run<T>(work: (db: Db) => Promise<T>): Promise<T>
  /**
   * One raw statement in its own implicit transaction: one round trip, prepared once per connection
   * on PostgreSQL. Rows come back as the driver parses them, keyed by the statement's column aliases.
   */
  statement<T>(query: SQL): Promise<T[]>
  /** Answers when the database answers a query, throws DatabaseUnavailableError otherwise. */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** An already opened PGlite (tests load a migrated template into one). */
  pglite?: PGlite
  /** Apply pending migrations before use. */
  migrate?: boolean
}

/** Renders drizzle SQL to text and parameters for the raw `statement` path. */
const dialect = new PgDialect({ casing: 'snake_case' })

export async function openDatabase(config: Config, options: DatabaseOptions = {}): Promise<Database> {
  if (config.databaseUrl !== undefined && options.pglite === undefined) {
    if (options.migrate) await migratePostgresUrl(config.databaseUrl)
    return openPostgres(config, config.databaseUrl)
  }
  const database = await openPglite(config, options.pglite)
  if (options.migrate) await migratePgliteClient(database.pglite)
  return database
}

function openPostgres(config: Config, url: string): Database {
  const client = postgres(url, {
    max: config.dbPoolSize,
    connect_timeout: Math.max(1, Math.ceil(config.dbPoolWaitMs / 1000)),
    idle_timeout: 60,
    onnotice: () => {},
    // JIT compilation costs more than it saves on these short, indexed statements.
    connection: { statement_timeout: config.dbStatementTimeoutMs, application_name: 'polku', jit: 'off' },
  })
  const db = drizzlePostgres(client, { schema, casing: 'snake_case' }) as unknown as Db
  const deadline = config.dbPoolWaitMs + config.dbStatementTimeoutMs
  return {
    kind: 'postgres',
    db,
    transaction: (work) => withPoolWait(config.dbPoolWaitMs, (enter) => db.transaction((tx) => enter(() => work(tx)))),
    run: (work) => withDeadline(deadline, work(db)),
    statement: <T>(query: SQL) => {
      const { sql: text, params } = dialect.sqlToQuery(query)
      return withDeadline(deadline, client.unsafe(text, params as never[], { prepare: true }) as unknown as Promise<T[]>)
    },
    ping: () => withDeadline(config.dbPoolWaitMs, client`select 1`.execute().then(() => {})),
    close: () => client.end({ timeout: 5 }),
  }
}

async function openPglite(config: Config, given: PGlite | undefined): Promise<Database & { pglite: PGlite }> {
  let client = given
  if (client === undefined) {
    const memory = config.dataDir.startsWith('memory://')
    if (!memory) mkdirSync(config.dataDir, { recursive: true })
    client = await PGlite.create(memory ? undefined : config.dataDir)
  }
  const pg = client
  const db = drizzlePglite(pg, { schema, casing: 'snake_case' }) as unknown as Db
  return {
    kind: 'pglite',
    pglite: pg,
    db,
    transaction: (work) => withPoolWait(config.dbPoolWaitMs, (enter) => db.transaction((tx) => enter(() => work(tx)))),
    run: (work) => work(db),
    statement: async <T>(query: SQL) => {
      const { sql: text, params } = dialect.sqlToQuery(query)
      return (await pg.query<T>(text, params)).rows
    },
    ping: async () => {
      if (pg.closed) throw new DatabaseUnavailableError()
      await pg.query('select 1')
    },
    close: async () => {
      if (!pg.closed) await pg.close()
    },
  }
}

/**
 * postgres.js queues forever when every connection is busy or the server is gone: give up after
 * `waitMs` with a 503, and make sure work that gets a connection later never runs.
 */
function withPoolWait<T>(waitMs: number, run: (enter: <R>(work: () => Promise<R>) => Promise<R>) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let state: 'waiting' | 'running' | 'abandoned' = 'waiting'
    const timer = setTimeout(() => {
      if (state !== 'waiting') return
      state = 'abandoned'
      reject(new DatabaseUnavailableError())
    }, waitMs)
    const enter = <R>(work: () => Promise<R>): Promise<R> => {
      if (state === 'abandoned') return Promise.reject(new DatabaseUnavailableError())
      state = 'running'
      clearTimeout(timer)
      return work()
    }
    run(enter).then(
      (value) => {
        clearTimeout(timer)
        if (state !== 'abandoned') resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        if (state !== 'abandoned') reject(error)
      },
    )
  })
}

/** A readiness check must answer even when the database hangs mid-query: give up after `ms`. */
function withDeadline<T>(ms: number, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DatabaseUnavailableError()), ms)
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/** Rows of a raw `execute`, whichever driver ran it (postgres.js returns an array, PGlite `{ rows }`). */
export async function queryRows<T>(q: Queryable, query: SQL): Promise<T[]> {
  const result = (await q.execute(query)) as unknown
  if (Array.isArray(result)) return result as T[]
  return (result as { rows: T[] }).rows
}
