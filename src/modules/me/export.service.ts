// Everything Polku holds about one young person, read inside the door under their own ability, audited as one export.
import { and } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import type { Principal } from '../../auth/principal.js'
import { abilityFor, accessibleWhere, type DoorScope, withYoungPerson } from '../../authz/index.js'
import type { Database } from '../../db/client.js'
import type { PageRequest } from '../../http/pagination.js'
import { presentAccessLogEntry } from '../audit/audit.presenters.js'
import { listAccessLog } from '../../authz/data/audit.queries.js'
import type { AuditInput } from '../audit/audit.writer.js'
import * as consentQueries from '../../authz/data/consents.queries.js'
import { presentConsent, presentRequest } from '../consents/consents.service.js'
import { presentNote } from '../pathway/notes.presenters.js'
import { listNotes } from '../../authz/data/notes.queries.js'
import { readPathwayAllowed } from '../pathway/pathway.service.js'
import { aboutYoungPerson, listReferrals } from '../../authz/data/referrals.queries.js'
import { presentReferral } from '../referrals/referrals.service.js'
import { presentErasureRequest } from '../retention/erasure.presenters.js'
import { erasureRequestsOf, listErasureRequests } from '../retention/erasure.service.js'
import { retentionOf } from '../retention/retention.presenters.js'
import { listTombstones } from '../retention/retention.queries.js'
import { listReviewItems, ofYoungPerson } from '../../authz/data/review-items.queries.js'
import { presentReviewItem } from '../review-items/review-items.service.js'
import { findYoungPerson } from '../../authz/data/young-persons.queries.js'
import { presentMe } from './me.presenters.js'

/** All of it: one person's records are few enough to return in one document. */
const EVERYTHING: PageRequest = { limit: 100_000, after: undefined }

type YoungPersonPrincipal = Extract<Principal, { kind: 'young_person' }>

/** The caller's own data, through the door: one transaction, their own ability, one `export` audit event. */
export function exportOwnData(database: Database, request: FastifyRequest, principal: YoungPersonPrincipal, showNames: boolean) {
  const id = principal.youngPersonId
  const audit: Omit<AuditInput, 'outcome'> = { action: 'export', resourceType: 'YoungPerson', resourceId: id }
  return withYoungPerson(database, request, id, { action: 'read', subject: 'YoungPerson', audit }, async (door) => ({
    value: await exportEverything(door, request, principal, showNames),
    audit: [{ ...audit, youngPersonId: id, outcome: 'allowed' }],
  }))
}

async function exportEverything({ tx, scope, youngPersonId: id }: DoorScope, request: FastifyRequest, principal: YoungPersonPrincipal, showNames: boolean) {
  const person = (await findYoungPerson(tx, id))!
  const consentRows = await consentQueries.listConsents(tx, accessibleWhere(scope.ability, principal, 'read', 'Consent'), EVERYTHING)
  const requestRows = await consentQueries.listConsentRequests(tx, accessibleWhere(scope.ability, principal, 'read', 'ConsentRequest'), EVERYTHING)
  const { view: pathway } = await readPathwayAllowed(tx, request, scope, id)
  const notes = await listNotes(tx, id, accessibleWhere(scope.ability, principal, 'read', 'Note'), undefined, EVERYTHING)
  const referralRows = await listReferrals(tx, and(aboutYoungPerson(id), accessibleWhere(scope.ability, principal, 'read', 'Referral')), EVERYTHING)
  const accessLog = await listAccessLog(tx, abilityFor(principal), principal, EVERYTHING, showNames)
  const questions = await listReviewItems(tx, ofYoungPerson(id), EVERYTHING)
  const erasureRows = await listErasureRequests(tx, erasureRequestsOf(id), EVERYTHING)
  const tombstones = await listTombstones(tx, id)
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
