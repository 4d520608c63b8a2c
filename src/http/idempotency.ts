// Idempotency-Key for creating POSTs: the key is claimed in the request's own transaction.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto'
import { and, eq, lt, sql } from 'drizzle-orm'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { principalId } from '../auth/principal.js'
import { type Queryable, queryRows, type Tx } from '../db/client.js'
import { idempotencyKeys } from '../db/schema/integration.js'
import { BadRequestError, ConflictError, UnprocessableError } from '../errors.js'

const KEY = /^[\x21-\x7e]{1,255}$/
export const IDEMPOTENCY_TTL_HOURS = 24

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` are the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

function requestHash(request: FastifyRequest): string {
  const path = request.url.split('?')[0]
  return createHash('sha256').update(`${request.method} ${path}\n${canonicalJson(request.body)}`).digest('hex')
}

/**
 * Stored responses can hold personal data or a secret shown once, so they are sealed with a key
 * derived from the Idempotency-Key itself: only its sender can replay them, a database dump cannot.
 * The key column holds a hash of the key for the same reason.
 */
interface Sealed {
  v: 1
  iv: string
  tag: string
  data: string
}

function sealingKey(owner: string, key: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, owner, 'polku idempotent response v1', 32))
}

function seal(owner: string, key: string, value: unknown): Sealed {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', sealingKey(owner, key), iv)
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()])
  return { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') }
}

function unseal(owner: string, key: string, sealed: Sealed): unknown {
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(owner, key), Buffer.from(sealed.iv, 'base64'))
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'))
  const text = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8')
  return JSON.parse(text)
}

/** The `headers` schema of a creating POST, so the contract (and generated clients) show the header. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description:
        'A unique key (e.g. a UUID) per intended creation. A repeat with the same key and body within 24 hours returns the first response (with `Idempotent-Replayed: true`) and creates nothing; another body is 422; a repeat while the first is still running is 409.',
    }),
  ),
})

/** The Idempotency-Key header, validated; undefined when absent. */
export function idempotencyKey(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key']
  if (raw === undefined) return undefined
  const key = Array.isArray(raw) ? raw[0] : raw
  if (key === undefined || !KEY.test(key)) throw new BadRequestError('Idempotency-Key must be 1 to 255 visible ASCII characters')
  return key
}

type Outcome<T> = { kind: 'fresh'; value: T | null } | { kind: 'replay'; status: number; body: unknown }

/** Whether the caller may still read the record a stored answer is about, checked in the replay's transaction. */
export type StillReadable<T> = (tx: Tx, stored: T) => Promise<boolean>

/** A stored answer cut down to its ids and status, for a caller whose consent has ended since. */
export type IdsAndStatusBody = { id: string; status?: string }

function idsAndStatus(stored: unknown): IdsAndStatusBody {
  const { id, status } = stored as { id: string; status?: unknown }
  return typeof status === 'string' ? { id, status } : { id }
}

/**
 * Runs `work` in one transaction with the key's claim: a repeat with the same body replays the
 * stored response, another body is 422, a repeat while the first is still running is 409.
 * `work` returns the response body, or null for "not found" (nothing is stored then).
 * Keys belong to the caller (another caller may use the same key) and expire after 24 hours.
 * With `stillReadable`, a replay to a caller who may no longer read the record answers its ids and status only.
 */
export async function idempotentCreate<T>(request: FastifyRequest, reply: FastifyReply, status: number, work: (tx: Tx) => Promise<T | null>): Promise<T | null>
export async function idempotentCreate<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  work: (tx: Tx) => Promise<T | null>,
  stillReadable: StillReadable<T>,
): Promise<T | IdsAndStatusBody | null>
export async function idempotentCreate<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  work: (tx: Tx) => Promise<T | null>,
  stillReadable?: StillReadable<T>,
): Promise<T | IdsAndStatusBody | null> {
  const key = idempotencyKey(request)
  const database = request.server.database
  if (key === undefined) {
    const value = await database.transaction(work)
    if (value !== null) reply.code(status)
    return value
  }
  const owner = principalId(request.principal)
  const keyHash = createHash('sha256').update(key).digest('hex')
  const hash = requestHash(request)
  const outcome: Outcome<T> = await database.transaction(async (tx) => {
    // A second request with this key while the first is still running fails fast instead of waiting.
    const [lock] = await queryRows<{ locked: boolean }>(
      tx,
      sql`select pg_try_advisory_xact_lock(hashtextextended(${`idempotency:${owner}:${keyHash}`}, 0)) as locked`,
    )
    if (!lock?.locked) throw new ConflictError('A request with this Idempotency-Key is still in progress')
    const where = and(eq(idempotencyKeys.principalId, owner), eq(idempotencyKeys.key, keyHash))
    const [existing] = await tx.select().from(idempotencyKeys).where(where)
    if (existing && existing.expiresAt.getTime() > Date.now()) {
      if (existing.requestHash !== hash) throw new UnprocessableError('This Idempotency-Key was used with a different request')
      const stored = unseal(owner, key, existing.responseBody as Sealed) as T
      const body = !stillReadable || (await stillReadable(tx, stored)) ? stored : idsAndStatus(stored)
      return { kind: 'replay', status: existing.responseStatus ?? status, body }
    }
    if (existing) await tx.delete(idempotencyKeys).where(where)
    const value = await work(tx)
    if (value !== null) {
      await tx
        .insert(idempotencyKeys)
        .values({
          principalId: owner,
          key: keyHash,
          method: request.method,
          path: request.url.split('?')[0] ?? '',
          requestHash: hash,
          state: 'done',
          responseStatus: status,
          responseBody: seal(owner, key, value),
          expiresAt: new Date(Date.now() + IDEMPOTENCY_TTL_HOURS * 3600 * 1000),
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

/** Deletes up to `limit` expired keys; the worker calls it so the table does not grow without end. */
export async function purgeExpiredIdempotencyKeys(q: Queryable, now: Date, limit = 1000): Promise<void> {
  const expired = q
    .select({ principalId: idempotencyKeys.principalId, key: idempotencyKeys.key })
    .from(idempotencyKeys)
    .where(lt(idempotencyKeys.expiresAt, now))
    .limit(limit)
  await q.delete(idempotencyKeys).where(sql`(${idempotencyKeys.principalId}, ${idempotencyKeys.key}) in ${expired}`)
}
