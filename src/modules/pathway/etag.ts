// Entity tags of versioned pathway records: strong "<id>:<version>", and the If-Match a change must carry.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { PreconditionRequiredError } from '../../errors.js'

export const etagOf = (id: string, version: number) => `"${id}:${version}"`

/** The versions of `id` that If-Match names; `'*'` for any. Throws 428 when the header is missing. */
export function ifMatchVersions(request: FastifyRequest, id: string): number[] | '*' {
  const raw = request.headers['if-match']
  if (raw === undefined || raw.trim() === '') throw new PreconditionRequiredError()
  if (raw.trim() === '*') return '*'
  const versions: number[] = []
  // If-Match compares strongly (RFC 9110 §13.1.1): weak tags and tags of other records never match.
  for (const match of raw.matchAll(/(W\/)?"([^"]*)"/g)) {
    if (match[1] !== undefined) continue
    const [tagId, version] = (match[2] ?? '').split(':')
    if (tagId?.toLowerCase() === id.toLowerCase() && version !== undefined && /^\d{1,9}$/.test(version)) versions.push(Number(version))
  }
  return versions
}

export function sendEtag(reply: FastifyReply, record: { etag: string }): void {
  reply.header('etag', record.etag)
}
