// One-time link codes: short and typable, valid 14 days, shown once, stored only as a hash.
import { createHash, randomInt } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { Tx } from '../../db/client.js'
import { ConflictError, UnprocessableError } from '../../errors.js'
import { recordAudit } from '../audit/audit.writer.js'
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

export type LinkRefusal = 'unknown' | 'used' | 'expired' | 'already_linked'

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
 * Links the signed-in identity `subject` to the young person the code was issued for. A refusal is
 * audited and returned (not thrown), so its audit record commits with the transaction.
 */
export async function redeemLinkCode(tx: Tx, request: FastifyRequest, subject: string, typed: string, now = new Date()): Promise<{ youngPersonId: string } | LinkRefusedError> {
  if (await queries.findAccountBySubject(tx, subject)) return new LinkRefusedError('already_linked')
  const code = await queries.lockLinkCode(tx, hashCode(normaliseLinkCode(typed)))
  const refusal: LinkRefusal | null = !code ? 'unknown' : code.usedAt ? 'used' : code.expiresAt.getTime() <= now.getTime() ? 'expired' : null
  if (refusal !== null || !code) {
    await recordAudit(tx, request, [
      { action: 'link', resourceType: 'LinkCode', resourceId: code?.id ?? null, youngPersonId: code?.youngPersonId ?? null, outcome: 'denied' },
    ])
    return new LinkRefusedError(refusal ?? 'unknown')
  }
  const person = await queries.youngPersonAccount(tx, code.youngPersonId)
  if (person?.accountId) throw new ConflictError('This record is already linked to another sign-in')
  await queries.bindLogin(tx, code.id, code.youngPersonId, subject)
  await recordAudit(tx, request, [{ action: 'link', resourceType: 'LinkCode', resourceId: code.id, youngPersonId: code.youngPersonId, outcome: 'allowed' }])
  return { youngPersonId: code.youngPersonId }
}

/** The API's rendering of a refusal: a used or expired code is a 409/410-like conflict, an unknown one 422. */
export function linkRefusalError(refusal: LinkRefusedError): Error {
  return refusal.reason === 'unknown' ? new UnprocessableError(refusal.message) : new ConflictError(refusal.message)
}
