// The one cursor-pagination helper: keyset on (created_at, id), opaque cursors, a `next` link.
import { and, type AnyColumn, eq, gt, lt, or, type SQL } from 'drizzle-orm'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { BadRequestError } from '../errors.js'

export interface PageRequest {
  limit: number
  after: { at: string; id: string } | undefined
}

export function pageRequest(query: { limit?: number; cursor?: string }): PageRequest {
  const limit = query.limit ?? 50
  if (query.cursor === undefined) return { limit, after: undefined }
  try {
    const [at, id] = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as unknown[]
    if (typeof at === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(at)) && /^[0-9a-f-]{36}$/i.test(id)) {
      return { limit, after: { at, id } }
    }
  } catch {}
  throw new BadRequestError('The cursor is not valid; start again without one')
}

/**
 * Keyset condition for rows after the cursor. `direction` follows the list's order:
 * 'asc' for oldest first, 'desc' for newest first.
 */
export function afterCursor(page: PageRequest, at: AnyColumn, id: AnyColumn, direction: 'asc' | 'desc'): SQL | undefined {
  if (!page.after) return undefined
  const after = new Date(page.after.at)
  const cmp = direction === 'asc' ? gt : lt
  return or(cmp(at, after), and(eq(at, after), cmp(id, page.after.id)))
}

/** Builds the page from `limit + 1` fetched rows, setting a `Link: rel="next"` header when there is more. */
export function toPage<T, R>(
  request: FastifyRequest,
  reply: FastifyReply,
  page: PageRequest,
  rows: T[],
  key: (row: T) => { at: Date | string; id: string },
  present: (row: T) => R,
): { items: R[]; nextCursor: string | null } {
  const more = rows.length > page.limit
  const items = rows.slice(0, page.limit)
  const last = items.at(-1)
  let nextCursor: string | null = null
  if (more && last !== undefined) {
    const { at, id } = key(last)
    nextCursor = Buffer.from(JSON.stringify([new Date(at).toISOString(), id])).toString('base64url')
    const url = new URL(request.url, 'http://polku.invalid')
    url.searchParams.set('cursor', nextCursor)
    reply.header('link', `<${url.pathname}${url.search}>; rel="next"`)
  }
  return { items: items.map(present), nextCursor }
}
