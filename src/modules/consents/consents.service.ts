// Consent rules: granting, narrowing, revoking, requesting; status and receipts derived at read time.
import type { FastifyRequest } from 'fastify'
import type { Principal } from '../../auth/principal.js'
import type { Config } from '../../config.js'
import type { Tx } from '../../db/client.js'
import { ForbiddenError, UnprocessableError } from '../../errors.js'
import type { ConsentRequestRow, ConsentRow, GranteeInput } from '../../authz/data/consents.queries.js'
import * as queries from '../../authz/data/consents.queries.js'

const SPECIAL_CATEGORIES = new Set(['health', 'psychological'])
const DAY_MS = 24 * 3600 * 1000

export type ConsentStatus = 'active' | 'expired' | 'revoked' | 'superseded'

export function consentStatus(row: Pick<ConsentRow, 'revokedAt' | 'supersededAt' | 'validUntil'>, now = new Date()): ConsentStatus {
  if (row.revokedAt) return 'revoked'
  if (row.supersededAt) return 'superseded'
  if (row.validUntil.getTime() <= now.getTime()) return 'expired'
  return 'active'
}

type Recorder = { kind: 'young_person' | 'professional'; professionalId: string | null; name: string | null }

/** Who recorded an act on a consent: the professional (by name), or else the young person themselves. */
function recorderOf(professionalId: string | null, name: string | null): Recorder {
  return professionalId ? { kind: 'professional', professionalId, name } : { kind: 'young_person', professionalId: null, name: null }
}

export const recordedBy = (row: ConsentRow): Recorder => recorderOf(row.recorderProfessionalId, row.recorderName)
export const revokedBy = (row: ConsentRow): Recorder | null => (row.revokedAt ? recorderOf(row.revokerProfessionalId, row.revokerName) : null)

export function presentConsent(row: ConsentRow) {
  return {
    id: row.id,
    youngPersonId: row.youngPersonId,
    grantee: {
      professionalId: row.granteeProfessionalId,
      agencyId: row.granteeAgencyId,
      role: row.granteeRole,
      name: row.granteeName,
    },
    categories: row.categories,
    actions: row.actions,
    purpose: row.purpose,
    method: row.method,
    evidence: row.evidence,
    recordedBy: recordedBy(row),
    status: consentStatus(row),
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    revokedAt: row.revokedAt,
    revokedBy: revokedBy(row),
    supersededAt: row.supersededAt,
    supersededById: row.supersededById,
    createdAt: row.createdAt,
  }
}

export function presentRequest(row: ConsentRequestRow) {
  const expired = row.status === 'pending' && row.expiresAt.getTime() <= Date.now()
  return {
    id: row.id,
    youngPersonId: row.youngPersonId,
    requestedBy: { professionalId: row.requestedByProfessionalId, name: row.requestedByName },
    grantee: { professionalId: row.granteeProfessionalId, agencyId: row.granteeAgencyId, role: row.granteeRole, name: row.granteeName },
    categories: row.categories,
    actions: row.actions,
    purpose: row.purpose,
    status: expired ? ('expired' as const) : row.status,
    expiresAt: row.expiresAt,
    decidedAt: row.decidedAt,
    consentId: row.consentId,
    createdAt: row.createdAt,
  }
}

/** A consent receipt after ISO/IEC TS 27560, with the whole consent in one plain-language paragraph. */
export function consentReceipt(row: ConsentRow) {
  const recipient = row.granteeProfessionalId
    ? { type: 'professional' as const, id: row.granteeProfessionalId, name: row.granteeName, role: null }
    : { type: 'agency' as const, id: row.granteeAgencyId!, name: row.granteeName, role: row.granteeRole }
  const who = recipient.type === 'professional' ? recipient.name : `${recipient.name}${recipient.role ? ` (${recipient.role} only)` : ''}`
  const until = row.validUntil.toISOString().slice(0, 10)
  const recorder = recordedBy(row)
  const recorded = recorder.kind === 'professional' ? ` ${recorder.name} recorded it as given in person (evidence: ${row.evidence}).` : ''
  return {
    schema: 'ISO/IEC TS 27560:2023' as const,
    recordId: row.id,
    dataSubject: { id: row.youngPersonId },
    controller: { name: 'Polku guidance centre' },
    recipient,
    purpose: row.purpose,
    categories: row.categories,
    specialCategories: row.categories.filter((c) => SPECIAL_CATEGORIES.has(c)),
    actions: row.actions,
    method: row.method,
    evidence: row.evidence,
    recordedBy: recorder,
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    createdAt: row.createdAt,
    withdrawal: `You can withdraw this consent at any time, without giving a reason: POST /v1/consents/${row.id}/revoke, or ask any professional who works with you.`,
    plainLanguage: `You allow ${who} to ${row.actions.join(' and ')} your ${row.categories.join(', ')} information until ${until}, for this purpose: ${row.purpose}.${recorded} You can withdraw this at any time.`,
  }
}

/** The end of validity: the configured default, never past the configured maximum, never in the past. */
export function validUntil(config: Config, requested: string | Date | undefined, now = new Date()): Date {
  if (requested === undefined) return new Date(now.getTime() + config.consentDefaultDays * DAY_MS)
  const until = new Date(requested)
  if (until.getTime() <= now.getTime()) throw new UnprocessableError('validUntil must be in the future')
  if (until.getTime() > now.getTime() + config.consentMaxDays * DAY_MS) {
    throw new UnprocessableError(`validUntil may be at most ${config.consentMaxDays} days from now`)
  }
  return until
}

export async function checkGrantee(tx: Tx, grantee: GranteeInput): Promise<void> {
  if (grantee.professionalId !== undefined) {
    if (!(await queries.professionalExists(tx, grantee.professionalId))) throw new UnprocessableError('grantee.professionalId does not name a professional')
  } else if (grantee.agencyId === undefined || !(await queries.agencyExists(tx, grantee.agencyId))) {
    throw new UnprocessableError('grantee.agencyId does not name an agency')
  }
}

/** The account recorded as having granted or withdrawn a consent: a person, never a partner system. */
export function recorderAccountId(principal: Principal): string {
  if (principal.kind === 'partner') throw new ForbiddenError('Partner systems cannot record consent or its withdrawal')
  return principal.accountId
}

export interface GrantInput {
  grantee: GranteeInput
  categories: string[]
  actions: string[]
  purpose: string
  validUntil?: string | Date
  evidence?: string
}

/**
 * Records a consent. A young person's own grant is `digital`; a professional records one given in
 * person and must name the evidence (the signed form). Whether they may record it is the caller's check.
 */
export async function grantConsent(tx: Tx, request: FastifyRequest, youngPersonId: string, input: GrantInput): Promise<ConsentRow> {
  const principal: Principal = request.principal
  const method = principal.kind === 'young_person' ? 'digital' : 'in_person'
  const evidence = input.evidence?.trim() || null
  if (method === 'in_person' && evidence === null) {
    throw new UnprocessableError('evidence is required when a professional records consent given in person')
  }
  await checkGrantee(tx, input.grantee)
  const accountId = recorderAccountId(principal)
  return queries.insertConsent(tx, {
    youngPersonId,
    grantee: input.grantee,
    categories: input.categories,
    actions: input.actions,
    purpose: input.purpose,
    method,
    evidence,
    grantedByAccountId: accountId,
    validUntil: validUntil(request.server.config, input.validUntil),
  })
}
