// A Polku app on a PostgreSQL server of the test's own (optionally behind a TCP proxy), and people to write notes.
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import postgres from 'postgres'
import { buildApp } from '../../src/app.js'
import { type Config, testConfig } from '../../src/config.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson, type ProfessionalActor } from '../factories.js'
import { startTcpProxy, type TcpProxy } from '../foundation/tcp-proxy.js'
import { type PostgresServer, startPostgresServer } from './postgres-server.js'

interface Test {
  teardown(fn: () => unknown): void
}

export interface FaultApp {
  app: FastifyInstance
  server: PostgresServer
  proxy: TcpProxy | undefined
  /** Every log line the app wrote (JSON). */
  logs: string[]
  /** A query on the test's server, beside the app (for checking what was stored). */
  sql: postgres.Sql
}

export async function faultApp(t: Test, options: { config?: Partial<Config>; proxy?: boolean } = {}): Promise<FaultApp> {
  const server = await startPostgresServer()
  t.teardown(() => server.destroy())
  const proxy = options.proxy ? await startTcpProxy({ host: '127.0.0.1', port: server.port }) : undefined
  if (proxy) t.teardown(() => proxy.close())
  const logs: string[] = []
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  const databaseUrl = proxy ? server.url.replace(`:${server.port}/`, `:${proxy.port}/`) : server.url
  const app = await buildApp(testConfig({ logLevel: 'info', ...options.config, databaseUrl }), { logStream })
  t.teardown(() => app.close())
  const sql = postgres(server.url, { max: 2, onnotice: () => {} })
  t.teardown(() => sql.end({ timeout: 1 }))
  return { app, server, proxy, logs, sql }
}

export interface Writer {
  professional: ProfessionalActor
  youngPersonIds: string[]
}

/** One professional with `count` young persons of their own: one audit chain each, so writers do not queue on one chain. */
export async function noteWriter(app: FastifyInstance, count: number): Promise<Writer> {
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin)
  const professional = await createProfessional(app, admin, { agencyId: agency.id })
  const youngPersonIds: string[] = []
  for (let i = 0; i < count; i++) youngPersonIds.push((await createYoungPerson(app, professional)).id)
  return { professional, youngPersonIds }
}

export function postNote(app: FastifyInstance, writer: Writer, index: number, body = 'Discussed study options') {
  return app.inject({
    method: 'POST',
    url: `/v1/young-persons/${writer.youngPersonIds[index % writer.youngPersonIds.length]}/notes`,
    headers: writer.professional.headers,
    payload: { category: 'pathway', body },
  })
}

/** What must never reach a client or a log line: where the database is, or the driver's own messages. */
export function leaksDatabaseDetail(text: string, server: PostgresServer, proxy?: TcpProxy): boolean {
  const ports = [server.port, ...(proxy ? [proxy.port] : [])]
  return ports.some((port) => text.includes(`127.0.0.1:${port}`) || text.includes(`"port":${port}`)) || /connection\.js|postgres:\/\/|write CONNECTION_|connect ECONNREFUSED/.test(text)
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
