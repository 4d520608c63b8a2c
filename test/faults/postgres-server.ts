// A PostgreSQL 15 server of a fault test's own (free port, temp folder) that the test may kill and restart.
import { execFile } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin'
/** initdb refuses to run as root: run the server binaries as `postgres` then. */
const AS_ROOT = process.getuid?.() === 0

export interface PostgresServer {
  port: number
  /** A URL of the `postgres` database as the superuser, for the app under test. */
  url: string
  /** `pg_ctl stop -m immediate`: every backend dies at once, as in a crash. */
  kill(): Promise<void>
  start(): Promise<void>
  /** Stops the server and removes its folder. */
  destroy(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function pgTool(tool: string, args: string[]) {
  const command = join(BIN, tool)
  return AS_ROOT ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args)
}

/** Settings that keep a throwaway server small and quick; nothing here is durable beyond the test. */
const SERVER_OPTIONS = [
  '-c listen_addresses=127.0.0.1',
  '-c unix_socket_directories=',
  '-c max_connections=40',
  '-c shared_buffers=16MB',
  '-c fsync=off',
  '-c full_page_writes=off',
  '-c logging_collector=off',
].join(' ')

export async function startPostgresServer(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'polku-pg-'))
  chmodSync(dir, 0o777)
  const data = join(dir, 'data')
  const log = join(dir, 'log')
  await pgTool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'])
  const port = await freePort()
  const start = () => pgTool('pg_ctl', ['start', '-w', '-t', '30', '-D', data, '-l', log, '-o', `-p ${port} ${SERVER_OPTIONS}`]).then(() => {})
  const stop = (mode: string) => pgTool('pg_ctl', ['stop', '-w', '-m', mode, '-D', data]).then(() => {})
  await start()
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    kill: () => stop('immediate'),
    start,
    async destroy() {
      await stop('immediate').catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
