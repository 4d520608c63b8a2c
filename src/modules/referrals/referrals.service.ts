// Referral rules: the state machine, the consent request a referral may need, and its webhook events.
import type { Tx } from '../../db/client.js'
import type { ReferralStatus } from '../../db/schema/vocabulary.js'
import { enqueueEvent, type WebhookEventType } from '../webhooks/outbox.js'
import * as queries from '../../authz/data/referrals.queries.js'
import type { ReferralRow } from '../../authz/data/referrals.queries.js'

export type ReferralDecision = 'accept' | 'decline' | 'complete' | 'withdraw'

interface Transition {
  /** The ability action the caller needs on the referral. */
  ability: 'receive' | 'withdraw'
  from: readonly ReferralStatus[]
  to: ReferralStatus
  /** The past tense, for messages. */
  done: string
  event?: WebhookEventType
}

/** awaiting_consent → pending (on consent) → accepted | declined; accepted → completed; open → withdrawn. */
export const TRANSITIONS: Record<ReferralDecision, Transition> = {
  accept: { ability: 'receive', from: ['pending'], to: 'accepted', done: 'accepted', event: 'referral.accepted' },
  decline: { ability: 'receive', from: ['pending'], to: 'declined', done: 'declined', event: 'referral.declined' },
  complete: { ability: 'receive', from: ['accepted'], to: 'completed', done: 'completed', event: 'referral.completed' },
  withdraw: { ability: 'withdraw', from: ['awaiting_consent', 'pending'], to: 'withdrawn', done: 'withdrawn' },
}

/** Why `decision` cannot happen to a referral in `status`, or null when it can. */
export function transitionConflict(decision: ReferralDecision, status: ReferralStatus): string | null {
  const transition = TRANSITIONS[decision]
  if (transition.from.includes(status)) return null
  if (status === 'awaiting_consent') return 'This referral is waiting for the young person’s consent to the receiver'
  return `This referral is ${status.replace('_', ' ')} and cannot be ${transition.done}`
}

/** The purpose shown to the young person in the consent request a referral sends them. */
export function referralPurpose(agencyName: string, role: string | null, reason: string): string {
  const receiver = role ? `${agencyName} (${role.replace('_', ' ')})` : agencyName
  return `Referral to ${receiver}: ${reason}`.slice(0, 1000)
}

export function presentReferral(row: ReferralRow) {
  return {
    id: row.id,
    youngPersonId: row.youngPersonId,
    from: { professionalId: row.fromProfessionalId, name: row.fromName, agencyId: row.fromAgencyId },
    to: { agencyId: row.toAgencyId, name: row.toAgencyName, role: row.toRole },
    reason: row.reason,
    categories: row.categories,
    status: row.status,
    consentRequestId: row.consentRequestId,
    decisionReason: row.decisionReason,
    outcome: row.outcome,
    decidedByProfessionalId: row.decidedByProfessionalId,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

/**
 * Queues a referral event for the partner systems of the referring and the receiving agency, in the
 * caller's transaction. Ids and status only: no reason, outcome or young person id travel in a webhook.
 * `referral.created` goes out when the referral reaches the receiver: at once, or when the young
 * person approves the consent it waited for; before that, nobody is told.
 */
export async function announceReferral(tx: Tx, type: WebhookEventType, referralId: string): Promise<void> {
  const row = await queries.findReferral(tx, referralId)
  if (!row || (type === 'referral.created' && row.status !== 'pending')) return
  await enqueueEvent(tx, type, [row.fromAgencyId, row.toAgencyId], {
    referralId: row.id,
    status: row.status,
    toAgencyId: row.toAgencyId,
    toRole: row.toRole,
  })
}
