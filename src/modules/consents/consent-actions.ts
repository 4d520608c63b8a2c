// Consent actions shared by the API and the young person's page: grant (or replace), revoke, decide a request.
import type { FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import { principalId } from '../../auth/principal.js'
import { abilityFor, scopeForYoungPerson, subjectOf } from '../../authz/index.js'
import type { Tx } from '../../db/client.js'
import { ConflictError, UnprocessableError } from '../../errors.js'
import { recordAudit } from '../audit/audit.writer.js'
import { announceReferral } from '../referrals/referrals.service.js'
import { enqueueConsentEvent } from '../webhooks/outbox.js'
import { findYoungPerson } from '../young-persons/young-persons.queries.js'
import * as queries from './consents.queries.js'
import type { GrantConsent } from './consents.schemas.js'
import { consentReceipt, consentStatus, grantConsent, presentConsent, presentRequest } from './consents.service.js'

/** A new consent, or (with `supersedes`) a narrowed or extended one that ends the old; null when not allowed. */
export async function grantOrReplaceConsent(tx: Tx, request: FastifyRequest, youngPersonId: string, body: Static<typeof GrantConsent>) {
  const scope = await scopeForYoungPerson(tx, request.principal, youngPersonId)
  const person = await findYoungPerson(tx, youngPersonId)
  if (!person || !scope.can('create', 'Consent', { youngPersonId })) {
    await recordAudit(tx, request, [{ action: 'grant', resourceType: 'Consent', youngPersonId: person ? youngPersonId : null, resourceId: null, outcome: 'denied' }])
    return null
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
    await enqueueConsentEvent(tx, 'consent.revoked', replaced.id, { reason: 'superseded', supersededById: row.id })
  }
  await enqueueConsentEvent(tx, 'consent.granted', row.id)
  await recordAudit(tx, request, [
    { action: 'grant', resourceType: 'Consent', resourceId: row.id, youngPersonId, consentIds: [row.id], outcome: 'allowed' },
  ])
  return { ...presentConsent(row), receipt: consentReceipt(row) }
}

/** One consent with what is needed for its receipt, for the young person or a holder; null (audited) otherwise. */
export async function readConsent(tx: Tx, request: FastifyRequest, consentId: string) {
  const row = await queries.findConsent(tx, consentId)
  const scope = row ? await scopeForYoungPerson(tx, request.principal, row.youngPersonId) : undefined
  const allowed = row !== undefined && scope!.can('read', 'Consent', row)
  await recordAudit(tx, request, [
    { action: 'read', resourceType: 'Consent', resourceId: consentId, youngPersonId: row?.youngPersonId ?? null, consentIds: allowed ? [row.id] : [], outcome: allowed ? 'allowed' : 'denied' },
  ])
  return allowed ? row : null
}

/** Withdrawal, effective on the very next request; null (audited) when the caller may not revoke it. */
export async function revokeConsent(tx: Tx, request: FastifyRequest, consentId: string) {
  // FOR UPDATE orders concurrent withdrawals of one consent; readers hold no lock, so this never waits for them.
  const locked = await queries.lockConsent(tx, consentId)
  const scope = locked ? await scopeForYoungPerson(tx, request.principal, locked.youngPersonId) : undefined
  if (!locked || !scope?.can('revoke', 'Consent', locked)) {
    await recordAudit(tx, request, [{ action: 'revoke', resourceType: 'Consent', resourceId: consentId, youngPersonId: locked?.youngPersonId ?? null, outcome: 'denied' }])
    return null
  }
  if (consentStatus(locked) !== 'active') throw new ConflictError(`This consent is already ${consentStatus(locked)}`)
  await queries.markRevoked(tx, locked.id, principalId(request.principal))
  await enqueueConsentEvent(tx, 'consent.revoked', locked.id, { reason: 'revoked' })
  await recordAudit(tx, request, [
    { action: 'revoke', resourceType: 'Consent', resourceId: locked.id, youngPersonId: locked.youngPersonId, consentIds: [locked.id], outcome: 'allowed' },
  ])
  return (await queries.findConsent(tx, locked.id))!
}

/** The young person's answer to a consent request; approving creates the consent now. */
export async function decideConsentRequest(tx: Tx, request: FastifyRequest, requestId: string, decision: 'approve' | 'decline', validUntil?: string | Date) {
  const row = await queries.findConsentRequest(tx, requestId, true)
  if (!row || !abilityFor(request.principal).can('approve', subjectOf('ConsentRequest', row))) {
    await recordAudit(tx, request, [{ action: decision, resourceType: 'ConsentRequest', resourceId: requestId, youngPersonId: row?.youngPersonId ?? null, outcome: 'denied' }])
    return null
  }
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
    await enqueueConsentEvent(tx, 'consent.granted', consent.id)
    for (const released of await queries.releaseReferralsAwaiting(tx, row.id)) await announceReferral(tx, 'referral.created', released.id)
  }
  await queries.decideConsentRequest(tx, row.id, decision === 'approve' ? 'approved' : 'declined', consentId)
  await recordAudit(tx, request, [
    { action: decision, resourceType: 'ConsentRequest', resourceId: row.id, youngPersonId: row.youngPersonId, consentIds: consentId ? [consentId] : [], outcome: 'allowed' },
  ])
  return (await queries.findConsentRequest(tx, row.id))!
}
