// One-time link codes: short and typable, valid 14 days, shown once, stored only as a hash.
import { createHash, randomInt } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { type LinkRefusal, linkWithCode } from '../../authz/index.js'
import type { Database, Tx } from '../../db/client.js'
import { ConflictError, UnprocessableError } from '../../errors.js'
import * as queries from '../../authz/data/link-codes.queries.js'

/** Crockford's base32 letters: no I, L, O or U, so a code read aloud or typed from paper survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const CODE_LENGTH = 10
export const LINK_CODE_DAYS = 14
const DAY_MS = 24 * 3600 * 1000

/** Upper case, no spaces or dashes, and the look-alikes a person types by mistake mapped back. */
export function normaliseLinkCode(typed: string): string {
  return typed
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0')
}

function hashCode(normalised: string): string {
  return createHash('sha256').update(`polku link code\n${normalised}`).digest('hex')
}

/** A new code for the young person, e.g. `7K2QM-9XD4F`; only its hash is stored. */
export async function issueLinkCode(tx: Tx, youngPersonId: string, now = new Date()): Promise<{ code: string; expiresAt: Date }> {
  let raw = ''
  for (let i = 0; i < CODE_LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)]
  const expiresAt = new Date(now.getTime() + LINK_CODE_DAYS * DAY_MS)
  await queries.insertLinkCode(tx, youngPersonId, hashCode(raw), expiresAt)
  return { code: `${raw.slice(0, 5)}-${raw.slice(5)}`, expiresAt }
}

export const LINK_REFUSALS: Record<LinkRefusal, string> = {
  unknown: 'This code is not valid. Check it and try again, or ask the professional who gave it to you for a new one.',
  used: 'This code has already been used. Ask the professional who gave it to you for a new one.',
  expired: 'This code has expired. Ask the professional who gave it to you for a new one.',
  already_linked: 'This sign-in is already linked to a record.',
}

export class LinkRefusedError extends Error {
  constructor(readonly reason: LinkRefusal) {
    super(LINK_REFUSALS[reason])
  }
}

/**
 * Links the signed-in identity `subject` to the young person the code was issued for, through the
 * door (`linkWithCode`). A refusal is audited and returned (not thrown), so its event commits.
 */
export async function redeemLinkCode(database: Database, request: FastifyRequest, subject: string, typed: string, now = new Date()): Promise<{ youngPersonId: string } | LinkRefusedError> {
  const outcome = await linkWithCode(database, request, subject, hashCode(normaliseLinkCode(typed)), now)
  return 'refused' in outcome ? new LinkRefusedError(outcome.refused) : outcome
}

/** The API's rendering of a refusal: a used or expired code is a 409/410-like conflict, an unknown one 422. */
export function linkRefusalError(refusal: LinkRefusedError): Error {
  return refusal.reason === 'unknown' ? new UnprocessableError(refusal.message) : new ConflictError(refusal.message)
}
