// Statements that re-check a remembered caller in their own snapshot, instead of a look-up of their own.
import { type SQL, sql } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import { principalStillHolds } from '../auth/principal.js'

/** SQL, true while the caller is as the request remembers them (`principalStillHolds`); a looked-up caller holds. */
export function callerHolds(request: FastifyRequest): SQL {
  const claims = request.principalToVerify
  return claims ? principalStillHolds(request.principal, claims) : sql`true`
}

/**
 * Runs a statement that checks `callerHolds` before it reads or writes anything. When it found the
 * remembered caller stale (nothing was read or written), the caller is looked up again (401 when
 * gone) and the statement runs once more with who they are now.
 */
export async function asCallerIsNow<T>(request: FastifyRequest, run: () => Promise<T>, stale: (result: T) => boolean): Promise<T> {
  const first = await run()
  if (!stale(first)) return first
  await request.server.principalAfresh(request)
  const again = await run()
  if (stale(again)) throw new Error('a statement found the caller stale right after looking them up')
  return again
}
