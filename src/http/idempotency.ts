// Idempotency-Key for creating POSTs: the key is claimed in the request's own transaction.
import { createHash } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { principalId } from '../auth/principal.js'
import { queryRows, type Tx } from '../db/client.js'
import { idempotencyKeys } from '../db/schema/index.js'
import { BadRequestError, ConflictError, UnprocessableError } from '../errors.js'

const KEY = /^[\x21-\x7e]{1,255}$/
const TTL_HOURS = 24

function requestHash(request: FastifyRequest): string {
  const path = request.url.split('?')[0]
  return createHash('sha256').update(`${request.method} ${path}\n${JSON.stringify(request.body ?? null)}`).digest('hex')
}

/** The Idempotency-Key header, validated; undefined when absent. */
export function idempotencyKey(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key']
  if (raw === undefined) return undefined
  const key = Array.isArray(raw) ? raw[0] : raw
  if (key === undefined || !KEY.test(key)) throw new BadRequestError('Idempotency-Key must be 1 to 255 visible ASCII characters')
  return key
}

type Outcome<T> = { kind: 'fresh'; value: T | null } | { kind: 'replay'; status: number; body: unknown }

/**
 * Runs `work` in one transaction with the key's claim: a repeat with the same body replays the
 * stored response, another body is 422, a repeat while the first is still running is 409.
 * `work` returns the response body, or null for "not found" (nothing is stored then).
 */
export async function idempotentCreate<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  work: (tx: Tx) => Promise<T | null>,
): Promise<T | null> {
  const key = idempotencyKey(request)
  const database = request.server.database
  if (key === undefined) {
    const value = await database.transaction(work)
    if (value !== null) reply.code(status)
    return value
  }
  const owner = principalId(request.principal)
  const hash = requestHash(request)
  const outcome: Outcome<T> = await database.transaction(async (tx) => {
    const [lock] = await queryRows<{ locked: boolean }>(
      tx,
      sql`select pg_try_advisory_xact_lock(hashtextextended(${`${owner}:${key}`}, 0)) as locked`,
    )
    if (!lock?.locked) throw new ConflictError('A request with this Idempotency-Key is still in progress')
    const where = and(eq(idempotencyKeys.principalId, owner), eq(idempotencyKeys.key, key))
    const [existing] = await tx.select().from(idempotencyKeys).where(where)
    if (existing && existing.expiresAt.getTime() > Date.now()) {
      if (existing.requestHash !== hash) throw new UnprocessableError('This Idempotency-Key was used with a different request')
      return { kind: 'replay', status: existing.responseStatus ?? status, body: existing.responseBody }
    }
    if (existing) await tx.delete(idempotencyKeys).where(where)
    const value = await work(tx)
    if (value !== null) {
      await tx.insert(idempotencyKeys).values({
        principalId: owner,
        key,
        method: request.method,
        path: request.url.split('?')[0] ?? '',
        requestHash: hash,
        state: 'done',
        responseStatus: status,
        responseBody: value,
        expiresAt: new Date(Date.now() + TTL_HOURS * 3600 * 1000),
      })
    }
    return { kind: 'fresh', value }
  })
  if (outcome.kind === 'replay') {
    reply.code(outcome.status).header('idempotent-replayed', 'true')
    return outcome.body as T
  }
  if (outcome.value !== null) reply.code(status)
  return outcome.value
}
