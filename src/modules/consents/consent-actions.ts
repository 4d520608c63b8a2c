// Consent actions shared by the API and the young person's page: grant (or replace), revoke, decide a request.
import type { FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import { type Doorway, granteeColumns, refusalReason, subjectOf, withdrawConsent } from '../../authz/index.js'
import type { Database, Tx } from '../../db/client.js'
import { ConflictError, UnprocessableError } from '../../errors.js'
import { announceReferral } from '../referrals/referrals.service.js'
import { consentEventInsertFrom, enqueueConsentEvent } from '../webhooks/outbox.js'
import * as queries from '../../authz/data/consents.queries.js'
import type { GrantConsent } from './consents.schemas.js'
import { consentReceipt, consentStatus, grantConsent, presentConsent, presentRequest } from './consents.service.js'

/** A consent as its receipt shows it. */
type Granted = ReturnType<typeof presentConsent> & { receipt: ReturnType<typeof consentReceipt> }

/**
 * A new consent, or (with `supersedes`) a narrowed or extended one that ends the old; null when the caller
 * may not see the young person, `{ refused }` (audited, nothing written) when they may not record this one.
 */
export async function grantOrReplaceConsent(door: Doorway, youngPersonId: string, body: Static<typeof GrantConsent>) {
  const { request } = door
  const access = { action: 'create', subject: 'Consent', audit: { action: 'grant', resourceType: 'Consent', resourceId: null } } as const
  const outcome = await door.youngPerson<Granted>(youngPersonId, access, async ({ tx, scope }) => {
    // The caller sees this young person, so saying why reveals nothing; the young person sees the attempt in their access log.
    const consent = { youngPersonId, ...granteeColumns(body.grantee) }
    if (!scope.can('create', 'Consent', consent)) {
      const reason = refusalReason(scope.ability, 'create', subjectOf('Consent', consent)) ?? 'You may not record this consent'
      return { denial: 'forbidden', reason, consentIds: scope.consents.map((c) => c.id) } as const
    }
    let replaced: Awaited<ReturnType<typeof queries.lockConsent>>
    if (body.supersedes !== undefined) {
      replaced = await queries.lockConsent(tx, body.supersedes)
      if (!replaced || replaced.youngPersonId !== youngPersonId) throw new UnprocessableError('supersedes does not name a consent of this young person')
      if (consentStatus(replaced) !== 'active') throw new ConflictError('Only an active consent can be replaced')
    }
    const row = await grantConsent(tx, request, youngPersonId, body)
    if (replaced) {
      await queries.markSuperseded(tx, replaced.id, row.id)
      await enqueueConsentEvent(tx, 'consent.revoked', replaced, { reason: 'superseded', supersededById: row.id })
    }
    await enqueueConsentEvent(tx, 'consent.granted', row)
    const event = { action: 'grant', resourceType: 'Consent', resourceId: row.id, youngPersonId }
    return { value: { ...presentConsent(row), receipt: consentReceipt(row) }, audit: [{ ...event, consentIds: [row.id], outcome: 'allowed' as const }] }
  })
  if ('value' in outcome) return outcome.value
  return outcome.reason === undefined ? null : { refused: outcome.reason }
}

/** One consent with what is needed for its receipt, for the young person or a holder; null (audited) otherwise. */
export async function readConsent(door: Doorway, consentId: string) {
  const access = { action: 'read', subject: 'Consent', audit: { action: 'read', resourceType: 'Consent', resourceId: consentId } } as const
  const outcome = await door.record((tx) => queries.findConsent(tx, consentId), access, async (_door, row) => ({
    value: row,
    audit: [{ ...access.audit, youngPersonId: row.youngPersonId, consentIds: [row.id], outcome: 'allowed' as const }],
  }))
  return 'value' in outcome ? outcome.value : null
}

/**
 * Withdrawal, effective on the very next request, in one statement (see `withdrawConsent`); 404 (audited)
 * when the caller may not withdraw it, 409 (nothing written) when it is no longer active.
 * `callerMayRead` says whether the caller may read the withdrawn consent now, after the withdrawal.
 */
export async function revokeConsent(database: Database, request: FastifyRequest, consentId: string) {
  const outcome = await withdrawConsent(database, request, consentId, (withdrawn) => consentEventInsertFrom('consent.revoked', withdrawn, { reason: 'revoked' }))
  if ('inactive' in outcome) throw new ConflictError(`This consent is already ${consentStatus(outcome.inactive)}`)
  return { consent: outcome.withdrawn, callerMayRead: outcome.callerMayRead }
}

/** The young person's answer to a consent request; approving creates the consent now. */
export async function decideConsentRequest(door: Doorway, requestId: string, decision: 'approve' | 'decline', validUntil?: string | Date) {
  const access = { action: 'approve', subject: 'ConsentRequest', audit: { action: decision, resourceType: 'ConsentRequest', resourceId: requestId } } as const
  const outcome = await door.record((tx) => queries.findConsentRequest(tx, requestId, true), access, async ({ tx }, row) => {
    const consentId = await decide(tx, door.request, row, decision, validUntil)
    const event = { action: decision, resourceType: 'ConsentRequest', resourceId: row.id, youngPersonId: row.youngPersonId }
    return { value: (await queries.findConsentRequest(tx, row.id))!, audit: [{ ...event, consentIds: consentId ? [consentId] : [], outcome: 'allowed' as const }] }
  })
  return 'value' in outcome ? outcome.value : null
}

/** Approves (granting the consent, releasing the referrals that waited for it) or declines; the consent's id when one was made. */
async function decide(tx: Tx, request: FastifyRequest, row: queries.ConsentRequestRow, decision: 'approve' | 'decline', validUntil?: string | Date): Promise<string | null> {
  const current = presentRequest(row)
  if (current.status !== 'pending') throw new ConflictError(`This request is already ${current.status}`)
  let consentId: string | null = null
  if (decision === 'approve') {
    const grantee = row.granteeProfessionalId
      ? { professionalId: row.granteeProfessionalId }
      : { agencyId: row.granteeAgencyId!, ...(row.granteeRole ? { role: row.granteeRole } : {}) }
    const consent = await grantConsent(tx, request, row.youngPersonId, {
      grantee,
      categories: row.categories,
      actions: row.actions,
      purpose: row.purpose,
      validUntil: validUntil,
    })
    consentId = consent.id
    await enqueueConsentEvent(tx, 'consent.granted', consent)
    for (const released of await queries.releaseReferralsAwaiting(tx, row.id)) await announceReferral(tx, 'referral.created', released.id)
  }
  await queries.decideConsentRequest(tx, row.id, decision === 'approve' ? 'approved' : 'declined', consentId)
  return consentId
}
