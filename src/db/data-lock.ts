// One process per embedded PGlite data folder: PGlite is single-process, a second one loses its writes.
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import lockfile from 'proper-lockfile'
import type { Config } from '../config.js'

export class DataFolderLockedError extends Error {
  override name = 'DataFolderLockedError'
}

/**
 * Locks the embedded database folder for this process (nothing to lock with DATABASE_URL or
 * `memory://`). Resolves with the unlock function; a folder another live process holds rejects
 * with DataFolderLockedError before anything in it is opened. The lock is a `<folder>.lock`
 * directory kept fresh while the process lives, so a crashed process's lock goes stale by itself.
 */
export async function lockDataFolder(config: Config): Promise<() => Promise<void>> {
  if (config.databaseUrl !== undefined || config.dataDir.startsWith('memory://')) return async () => {}
  const folder = resolve(config.dataDir)
  mkdirSync(folder, { recursive: true })
  try {
    const release = await lockfile.lock(folder, {
      stale: 30_000,
      update: 5_000,
      retries: 0,
      // A lock refreshed too late (a stalled machine) is reported, not turned into a crash.
      onCompromised: (error) => process.stderr.write(`polku: the lock on ${config.dataDir} was lost: ${error.message}\n`),
    })
    return async () => {
      await release().catch(() => {})
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'ELOCKED') {
      throw new DataFolderLockedError(
        `the embedded database in ${config.dataDir} is in use by another Polku process (a running server?). ` +
          'Stop it first, or use PostgreSQL (DATABASE_URL) to run the server and operator commands side by side. ' +
          '`npm run cli -- token` needs no database and works while the server runs.',
      )
    }
    throw error
  }
}
