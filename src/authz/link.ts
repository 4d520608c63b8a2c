// Linking a login to a young person's record: the one way an identity becomes a young person's own.
import type { FastifyRequest } from 'fastify'
import { PARTNER_SUBJECT_PREFIX } from '../auth/principal.js'
import type { Database } from '../db/client.js'
import { ConflictError } from '../errors.js'
import { recordAudit } from '../modules/audit/audit.writer.js'
import * as queries from './data/link-codes.queries.js'

/** Why a code does not link: unknown, already used, expired, or the sign-in is already someone's (an account's, a partner system's). */
export type LinkRefusal = 'unknown' | 'used' | 'expired' | 'already_linked'

/**
 * Whoever holds the code (by its hash) may bind the signed-in `subject` to the young person it was
 * issued for, once, before it expires. The code is locked, so two redemptions take turns; the
 * binding and its event, or a refusal and its denied event, commit in one transaction. A refusal is
 * returned, not thrown, so that its event commits; a record already bound to another sign-in is 409.
 */
export async function linkWithCode(
  database: Database,
  request: FastifyRequest,
  subject: string,
  codeHash: string,
  now = new Date(),
): Promise<{ youngPersonId: string } | { refused: LinkRefusal }> {
  return database.transaction(async (tx) => {
    // A partner system's token is its client's: never a young person's sign-in, account or not.
    if (subject.startsWith(PARTNER_SUBJECT_PREFIX) || (await queries.findAccountBySubject(tx, subject))) return { refused: 'already_linked' as const }
    const code = await queries.lockLinkCode(tx, codeHash)
    const refusal: LinkRefusal | null = !code ? 'unknown' : code.usedAt ? 'used' : code.expiresAt.getTime() <= now.getTime() ? 'expired' : null
    if (refusal !== null || !code) {
      await recordAudit(tx, request, [
        { action: 'link', resourceType: 'LinkCode', resourceId: code?.id ?? null, youngPersonId: code?.youngPersonId ?? null, outcome: 'denied' },
      ])
      return { refused: refusal ?? 'unknown' }
    }
    const person = await queries.youngPersonAccount(tx, code.youngPersonId)
    if (person?.accountId) throw new ConflictError('This record is already linked to another sign-in')
    await queries.bindLogin(tx, code.id, code.youngPersonId, subject)
    await recordAudit(tx, request, [{ action: 'link', resourceType: 'LinkCode', resourceId: code.id, youngPersonId: code.youngPersonId, outcome: 'allowed' }])
    return { youngPersonId: code.youngPersonId }
  })
}
