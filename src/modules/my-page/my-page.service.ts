// What the page reads, in one transaction per request, through the same queries, abilities and audit as the API.
import { eq } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import type { Principal } from '../../auth/principal.js'
import { abilityFor, accessibleWhere, scopeForYoungPerson } from '../../authz/index.js'
import type { Tx } from '../../db/client.js'
import { consentRequests, consents } from '../../db/schema/index.js'
import type { PageRequest } from '../../http/pagination.js'
import { listAccessLog } from '../audit/audit.queries.js'
import { recordAudit } from '../audit/audit.writer.js'
import * as consentQueries from '../consents/consents.queries.js'
import { listNotes } from '../pathway/notes.queries.js'
import { listTeam } from '../pathway/team.queries.js'
import { listReviewItems, ofYoungPerson } from '../review-items/review-items.queries.js'
import { findYoungPerson } from '../young-persons/young-persons.queries.js'

type YoungPersonPrincipal = Extract<Principal, { kind: 'young_person' }>

/** One person's records are few; the page shows all of them. */
const ALL: PageRequest = { limit: 10_000, after: undefined }

export async function loadOverview(tx: Tx, request: FastifyRequest, principal: YoungPersonPrincipal, showNames: boolean) {
  const id = principal.youngPersonId
  const scope = await scopeForYoungPerson(tx, principal, id)
  const person = (await findYoungPerson(tx, id))!
  const team = await listTeam(tx, id, ALL)
  const consentRows = await consentQueries.listConsents(tx, eq(consents.youngPersonId, id), ALL)
  const requestRows = await consentQueries.listConsentRequests(tx, eq(consentRequests.youngPersonId, id), ALL)
  const notes = await listNotes(tx, id, accessibleWhere(scope.ability, principal, 'read', 'Note'), undefined, ALL)
  const accessLog = await listAccessLog(tx, abilityFor(principal), principal, ALL, showNames)
  const questions = await listReviewItems(tx, ofYoungPerson(id), ALL)
  await recordAudit(tx, request, [
    { action: 'read', resourceType: 'YoungPerson', resourceId: id, youngPersonId: id, category: 'identity', outcome: 'allowed' },
    { action: 'read', resourceType: 'AccessLog', youngPersonId: id, outcome: 'allowed' },
  ])
  return { person, team, consents: consentRows, requests: requestRows, notes: notes.rows, accessLog, questions }
}

export type Overview = Awaited<ReturnType<typeof loadOverview>>
