// The database: PostgreSQL through postgres.js when DATABASE_URL is set, an embedded PGlite otherwise.
import { AsyncLocalStorage } from 'node:async_hooks'
import { mkdirSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { PGlite } from '@electric-sql/pglite'
import { createTableRelationsHelpers, type ExtractTablesWithRelations, extractTablesRelationalConfig, fillPlaceholders, is, type Query, SQL } from 'drizzle-orm'
import { type PgDatabase, PgDialect, type PgQueryResultHKT, type PgTransaction } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres, PostgresJsSession, PostgresJsTransaction } from 'drizzle-orm/postgres-js'
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
  /**
   * Runs `work` in one transaction; waits at most DB_POOL_WAIT_MS for a connection and ends, with a
   * 503, at the request's deadline (REQUEST_DEADLINE_MS). The statements `finish` names for the
   * work's value run last, in the same transaction: on PostgreSQL they travel with the COMMIT (and
   * the BEGIN with the work's first statement), so neither costs a round trip of its own.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>, finish?: (value: T) => SQL[]): Promise<T>
  /**
   * Runs `work` on the database outside any explicit transaction: each statement is its own
   * transaction and one round trip (no BEGIN/COMMIT). Meant for one indexed lookup (who is calling):
   * answers 503 if the database has not answered within DB_POOL_WAIT_MS.
   */
  run<T>(work: (db: Db) => Promise<T>): Promise<T>
  /**
   * One raw statement in its own implicit transaction: one round trip, prepared once per connection
   * on PostgreSQL. Rows come back as the driver parses them, keyed by the statement's column aliases.
   * Like a transaction, it waits at most DB_POOL_WAIT_MS for a connection and ends at the request's
   * deadline. A statement rendered once (`renderStatement`) is given the values of its placeholders.
   */
  statement<T>(query: SQL | Query, values?: Record<string, unknown>, options?: StatementOptions): Promise<T[]>
  /** Answers when the database answers a query, throws DatabaseUnavailableError otherwise. */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface StatementOptions {
  /**
   * Run the prepared statement on its generic plan, planned once per connection, instead of planning
   * it again for every set of values. For a statement whose plan does not depend on its values, where
   * PostgreSQL's estimate for a typical value (a caller's share of all consents) is far off and makes
   * it plan anew each time: the caseload page, where planning was a tenth of the statement's time.
   * On PostgreSQL the statement runs in a transaction of its own with the setting, all in its round
   * trip; PGlite ignores it.
   */
  genericPlan?: boolean
}

export interface DatabaseOptions {
  /** An already opened PGlite (tests load a migrated template into one). */
  pglite?: PGlite
  /** Apply pending migrations before use. */
  migrate?: boolean
}

/** Renders drizzle SQL to text and parameters for the raw `statement` path. */
const dialect = new PgDialect({ casing: 'snake_case' })

/**
 * A statement's text and parameters, rendered once: a hot statement built for one caller is kept
 * rendered, and each request fills its placeholders (`sql.placeholder`) with its own values.
 */
export function renderStatement(query: SQL): Query {
  return dialect.sqlToQuery(query)
}

function filled(query: SQL | Query, values: Record<string, unknown> = {}): Query {
  const rendered = is(query, SQL) ? dialect.sqlToQuery(query) : query
  return { sql: rendered.sql, params: fillPlaceholders(rendered.params, values) }
}

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
    // Seconds before a closed connection reconnects. postgres.js's own grows with every failed attempt
    // across the pool, to 10–20 s during an outage, so the pool came back that long after the server.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    idle_timeout: 60,
    keep_alive: config.dbKeepAliveSeconds,
    onnotice: () => {},
    socket: (options: SocketOptions) => openSocket(options, config),
    connection: {
      statement_timeout: config.dbStatementTimeoutMs,
      // The server ends what a vanished client left behind: an open transaction, a running statement.
      idle_in_transaction_session_timeout: config.dbIdleInTransactionTimeoutMs,
      client_connection_check_interval: 1000,
      tcp_keepalives_idle: config.dbKeepAliveSeconds,
      tcp_keepalives_interval: Math.max(1, Math.ceil(config.dbKeepAliveSeconds / 3)),
      tcp_keepalives_count: 3,
      application_name: 'polku',
      // JIT compilation costs more than it saves on these short, indexed statements.
      jit: 'off',
      // Index pages are on SSD or in memory: at the default 4 (spinning disks) the planner prefers a
      // sequential scan of every young person over a few thousand index look-ups for a caseload.
      random_page_cost: 1.1,
    },
    // `socket` (a factory for the pool's sockets) is supported by postgres.js but missing from its types.
  } as postgres.Options<Record<string, never>>)
  const db = drizzlePostgres(preparing(client), { schema, casing: 'snake_case' }) as unknown as Db
  return {
    kind: 'postgres',
    db,
    transaction: (work, finish) =>
      bounded(config, async (enter) => {
        const connection = await client.reserve()
        try {
          return await enter((answered) => pipelinedTransaction(connection, answered, work, finish))
        } finally {
          connection.release()
        }
      }),
    // A pool whose server accepts and drops connections (a proxy in front of a dead server) queues
    // a plain query forever: the lookup gets the pool wait, which is ample for one indexed row.
    run: (work) => withDeadline(config.dbPoolWaitMs, work(db)),
    statement: <T>(query: SQL | Query, values?: Record<string, unknown>, options: StatementOptions = {}) => {
      const { sql: text, params } = filled(query, values)
      // Reserving the connection first tells waiting for one apart from running on one.
      return bounded(config, async (enter) => {
        const connection = await client.reserve()
        try {
          return await enter(() =>
            options.genericPlan
              ? onGenericPlan<T>(connection, text, params)
              : (connection.unsafe(text, params as never[], { prepare: true }) as unknown as Promise<T[]>),
          )
        } finally {
          connection.release()
        }
      })
    },
    ping: () => withDeadline(config.dbPoolWaitMs, client`select 1`.execute().then(() => {})),
    close: () => client.end({ timeout: 5 }),
  }
}

/**
 * The statement in a transaction of its own whose `SET LOCAL plan_cache_mode` ends with it, the four
 * sent together (one round trip). Scoped to the transaction, the setting cannot outlive it: not on
 * the connection when the statement fails (COMMIT then answers ROLLBACK), nor on a server connection
 * that a transaction-mode pooler hands to someone else.
 */
async function onGenericPlan<T>(connection: postgres.ReservedSql, text: string, params: unknown[]): Promise<T[]> {
  const [, , rows] = await committed(connection, [
    connection.unsafe('begin').execute(),
    connection.unsafe('set local plan_cache_mode = force_generic_plan').execute(),
    connection.unsafe(text, params as never[], { prepare: true }).execute(),
  ])
  return rows as unknown as T[]
}

/**
 * Sends COMMIT after the statements already sent, waits for all their answers and gives the
 * statements' rows; throws the first failure, or when the transaction did not commit (a failed
 * statement turns the COMMIT into ROLLBACK).
 */
async function committed(connection: postgres.ReservedSql, sent: Promise<postgres.RowList<postgres.Row[]>>[]): Promise<postgres.RowList<postgres.Row[]>[]> {
  const settled = await Promise.allSettled([...sent, connection.unsafe('commit').execute()])
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason
  const answers = (settled as PromiseFulfilledResult<postgres.RowList<postgres.Row[]>>[]).map((outcome) => outcome.value)
  const commit = answers.pop()!
  if (commit.command !== 'COMMIT') throw new Error(`the transaction ended with ${commit.command}, not COMMIT`)
  return answers
}

/**
 * The client as drizzle is given it: every statement prepared once per connection. drizzle asks
 * postgres.js to prepare only named statements, and postgres.js sends an unprepared statement with
 * parameters in two round trips (it asks the server for the parameters' types first).
 */
function preparing<S extends postgres.Sql>(client: S): S {
  return new Proxy(client, {
    get(target, key, receiver) {
      if (key !== 'unsafe') return Reflect.get(target, key, receiver)
      return (text: string, params?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) =>
        target.unsafe(text, params, { ...options, prepare: true })
    },
  })
}

/** The schema's relations, for the transactions this module opens on a reserved connection. */
const relations = extractTablesRelationalConfig(schema, createTableRelationsHelpers)
const relational = { fullSchema: schema, schema: relations.tables, tableNamesMap: relations.tableNamesMap }

/**
 * One transaction on a reserved connection, pipelined: BEGIN goes out with the work's first
 * statement, and the `finish` statements with COMMIT. A statement that failed, even one the work
 * caught, fails the whole transaction: PostgreSQL answers such a COMMIT with ROLLBACK.
 */
async function pipelinedTransaction<T>(
  connection: postgres.ReservedSql,
  answered: (first: Promise<unknown>) => void,
  work: (tx: Tx) => Promise<T>,
  finish?: (value: T) => SQL[],
): Promise<T> {
  const begun = connection.unsafe('begin').execute()
  begun.catch(() => {})
  // Until BEGIN is answered, the request is still waiting for a working connection (DB_POOL_WAIT_MS).
  answered(begun)
  // drizzle's transaction over the reserved connection (drizzle's own waits for BEGIN's answer).
  const session = new PostgresJsSession(preparing(connection), dialect, relational)
  const tx = new PostgresJsTransaction(dialect, session as never, relational) as unknown as Tx
  try {
    const value = await work(tx)
    await begun
    const last = (finish?.(value) ?? []).map((statement) => {
      const { sql: text, params } = renderStatement(statement)
      return connection.unsafe(text, params as never[], { prepare: true }).execute()
    })
    await committed(connection, last)
    return value
  } catch (error) {
    // Nothing to roll back after a COMMIT was answered; on a lost connection the server rolls back itself.
    await connection.unsafe('rollback').catch(() => {})
    throw error
  }
}

interface SocketOptions {
  host: string[]
  port: number[]
  path?: string | false
}

/**
 * Opens the pool's sockets so that a transaction knows which ones it uses (see `bounded`), with TCP
 * keep-alive from the first byte. The socket is returned while it connects: Node queues the first
 * writes, and a failed connect reaches postgres.js as the socket's own `error` and `close`, so the
 * pool's connect timeout and reconnects work as with its built-in sockets.
 */
function openSocket(options: SocketOptions, config: Config): Socket {
  const socket = options.path ? connect(options.path) : connect({ host: options.host[0], port: options.port[0]! })
  socket.setKeepAlive(true, config.dbKeepAliveSeconds * 1000)
  socket.setNoDelay(true)
  const write = socket.write
  socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
    transactionScope.getStore()?.sockets.add(this)
    return write.apply(this, args)
  } as Socket['write']
  transactionScope.getStore()?.sockets.add(socket)
  return socket
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
    // PGlite runs in this process and cannot hang on a network; a statement it runs cannot be cut short.
    transaction: (work, finish) =>
      withPoolWait(config.dbPoolWaitMs, Number.POSITIVE_INFINITY, (enter) =>
        db.transaction((tx) =>
          enter(async () => {
            const value = await work(tx)
            for (const statement of finish?.(value) ?? []) await tx.execute(statement)
            return value
          }),
        ),
      ),
    run: (work) => work(db),
    statement: async <T>(query: SQL | Query, values?: Record<string, unknown>) => {
      const { sql: text, params } = filled(query, values)
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

/** The deadline of the request being served, set by `withRequestDeadline`. */
const requestScope = new AsyncLocalStorage<{ deadlineAt: number }>()
/** The sockets a PostgreSQL transaction wrote to: the ones to cut when it overruns its deadline. */
const transactionScope = new AsyncLocalStorage<{ sockets: Set<Socket> }>()

/** Runs `next` (the rest of a request) with every transaction it opens ending by `deadlineAt`. */
export function withRequestDeadline<T>(deadlineAt: number, next: () => T): T {
  return requestScope.run({ deadlineAt }, next)
}

/**
 * A PostgreSQL transaction that ends, with a 503, at the request's deadline. postgres.js neither
 * gives up on a hung server nor lets a caller cancel a transaction, so at the deadline the
 * transaction's socket is cut: its queries fail, the pool opens a fresh connection, and the server
 * rolls back (`client_connection_check_interval`, `idle_in_transaction_session_timeout` and TCP
 * keep-alive cover a server the disconnect does not reach).
 */
function bounded<T>(config: Config, run: (enter: Enter) => Promise<T>): Promise<T> {
  const deadlineAt = requestScope.getStore()?.deadlineAt ?? Date.now() + config.requestDeadlineMs
  const budget = deadlineAt - Date.now()
  if (budget <= 0) return Promise.reject(new DatabaseUnavailableError())
  const scope = { sockets: new Set<Socket>() }
  return transactionScope.run(scope, () =>
    withPoolWait(Math.min(config.dbPoolWaitMs, budget), budget, run, () => {
      for (const socket of scope.sockets) socket.destroy()
    }),
  )
}

/**
 * Runs work once it has a connection. Work that writes before it knows the server answers on that
 * connection (a BEGIN pipelined with the first statement) hands `answered` the first answer it
 * awaits: until that comes, the wait for a connection goes on.
 */
type Enter = <R>(work: (answered: (first: Promise<unknown>) => void) => Promise<R>) => Promise<R>

/**
 * postgres.js queues forever when every connection is busy or the server is gone: give up after
 * `waitMs` with a 503, and make sure work that gets a connection later never runs. Work that runs
 * past `deadlineMs` also ends with a 503; either way `overrun` stops what was started.
 */
function withPoolWait<T>(waitMs: number, deadlineMs: number, run: (enter: Enter) => Promise<T>, overrun: () => void = () => {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let state: 'waiting' | 'running' | 'abandoned' = 'waiting'
    let answered = false
    // A connection this transaction already wrote to (its BEGIN, a statement) is cut as well.
    const abandon = () => {
      state = 'abandoned'
      clearTimeout(waitTimer)
      clearTimeout(deadlineTimer)
      reject(new DatabaseUnavailableError())
      overrun()
    }
    const waitTimer = setTimeout(() => {
      if (state !== 'abandoned' && !answered) abandon()
    }, waitMs)
    const deadlineTimer = Number.isFinite(deadlineMs)
      ? setTimeout(() => {
          if (state !== 'abandoned') abandon()
        }, deadlineMs)
      : undefined
    const isAnswered = () => {
      answered = true
      clearTimeout(waitTimer)
    }
    const enter: Enter = (work) => {
      if (state === 'abandoned') return Promise.reject(new DatabaseUnavailableError())
      state = 'running'
      let first: Promise<unknown> | undefined
      const done = work((answer) => {
        first = answer
      })
      if (first === undefined) isAnswered()
      else first.then(isAnswered, () => {})
      return done
    }
    const settle = (done: () => void) => {
      clearTimeout(waitTimer)
      clearTimeout(deadlineTimer)
      if (state !== 'abandoned') done()
    }
    run(enter).then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
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
