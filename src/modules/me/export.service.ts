// Everything Polku holds about one young person, read under their own ability and audited as one export.
import { and, eq } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import { abilityFor, accessibleWhere, scopeForYoungPerson } from '../../authz/index.js'
import type { Tx } from '../../db/client.js'
import { consentRequests, consents, erasureRequests, referrals } from '../../db/schema/index.js'
import type { PageRequest } from '../../http/pagination.js'
import { presentAccessLogEntry } from '../audit/audit.presenters.js'
import { listAccessLog } from '../audit/audit.queries.js'
import { recordAudit } from '../audit/audit.writer.js'
import * as consentQueries from '../consents/consents.queries.js'
import { presentConsent, presentRequest } from '../consents/consents.service.js'
import { presentNote } from '../pathway/notes.presenters.js'
import { listNotes } from '../pathway/notes.queries.js'
import { readPathway } from '../pathway/pathway.service.js'
import { listReferrals } from '../referrals/referrals.queries.js'
import { presentReferral } from '../referrals/referrals.service.js'
import { presentErasureRequest } from '../retention/erasure.presenters.js'
import { listErasureRequests } from '../retention/erasure.service.js'
import { retentionOf } from '../retention/retention.presenters.js'
import { listTombstones } from '../retention/retention.queries.js'
import { listReviewItems, ofYoungPerson } from '../review-items/review-items.queries.js'
import { presentReviewItem } from '../review-items/review-items.service.js'
import { findYoungPerson } from '../young-persons/young-persons.queries.js'
import { presentMe } from './me.presenters.js'

/** All of it: one person's records are few enough to return in one document. */
const EVERYTHING: PageRequest = { limit: 100_000, after: undefined }

export async function exportEverything(tx: Tx, request: FastifyRequest, id: string, showNames: boolean) {
  const principal = request.principal
  if (principal.kind !== 'young_person' || principal.youngPersonId !== id) throw new Error('an export is only ever of the caller themselves')
  const scope = await scopeForYoungPerson(tx, principal, id)
  const person = (await findYoungPerson(tx, id))!
  const consentRows = await consentQueries.listConsents(tx, eq(consents.youngPersonId, id), EVERYTHING)
  const requestRows = await consentQueries.listConsentRequests(tx, eq(consentRequests.youngPersonId, id), EVERYTHING)
  const { view: pathway } = await readPathway(tx, request, scope, id)
  const notes = await listNotes(tx, id, accessibleWhere(scope.ability, principal, 'read', 'Note'), undefined, EVERYTHING)
  const referralRows = await listReferrals(tx, and(eq(referrals.youngPersonId, id), accessibleWhere(scope.ability, principal, 'read', 'Referral')), EVERYTHING)
  const accessLog = await listAccessLog(tx, abilityFor(principal), principal, EVERYTHING, showNames)
  const questions = await listReviewItems(tx, ofYoungPerson(id), EVERYTHING)
  const erasureRows = await listErasureRequests(tx, eq(erasureRequests.youngPersonId, id), EVERYTHING)
  const tombstones = await listTombstones(tx, id)
  await recordAudit(tx, request, [{ action: 'export', resourceType: 'YoungPerson', resourceId: id, youngPersonId: id, outcome: 'allowed' }])
  // An erased record is its tombstones: the blanked rows behind them are not shown as records.
  const erased = person.erasedAt !== null
  return {
    exportedAt: new Date(),
    person: presentMe(person, (await retentionOf(tx, request.server.config.retention, id))!),
    consents: erased ? [] : consentRows.map(presentConsent),
    consentRequests: erased ? [] : requestRows.map(presentRequest),
    pathway: erased ? { ...pathway, goals: [] } : pathway,
    notes: notes.rows.map(presentNote),
    referrals: erased ? [] : referralRows.map(presentReferral),
    erasureRequests: erasureRows.map(presentErasureRequest),
    tombstones,
    accessLog: accessLog.map(presentAccessLogEntry),
    reviewItems: questions.map(presentReviewItem),
  }
}
