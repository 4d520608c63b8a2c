// What the page reads, in one transaction per request, through the same queries, abilities and audit as the API.
import type { FastifyRequest } from 'fastify'
import type { Doorway, GranteeInput, YoungPersonPrincipal } from '../../authz/index.js'
import { abilityFor, accessibleWhere, withYoungPerson } from '../../authz/index.js'
import type { Database } from '../../db/client.js'
import { NotFoundError } from '../../errors.js'
import type { PageRequest } from '../../http/pagination.js'
import { listAccessLog } from '../../authz/data/audit.queries.js'
import * as consentQueries from '../../authz/data/consents.queries.js'
import { listNotes } from '../../authz/data/notes.queries.js'
import { type FormerOrCurrentMember, listTeam, listTeamEver } from '../../authz/data/team.queries.js'
import { listReviewItems, ofYoungPerson } from '../../authz/data/review-items.queries.js'
import { findYoungPerson } from '../../authz/data/young-persons.queries.js'

/** One person's records are few; the page shows all of them. */
const ALL: PageRequest = { limit: 10_000, after: undefined }

/** The page's overview, through the door: the young person's own rules decide, the read is audited. */
export function loadOverview(database: Database, request: FastifyRequest, principal: YoungPersonPrincipal, showNames: boolean) {
  const id = principal.youngPersonId
  const audit = { action: 'read', resourceType: 'YoungPerson', resourceId: id, category: 'identity' }
  return withYoungPerson(database, request, id, { action: 'read', subject: 'YoungPerson', audit }, async ({ tx, scope }) => {
    const person = (await findYoungPerson(tx, id))!
    const team = await listTeam(tx, id, ALL)
    const consentRows = await consentQueries.listConsents(tx, accessibleWhere(scope.ability, principal, 'read', 'Consent'), ALL)
    const requestRows = await consentQueries.listConsentRequests(tx, accessibleWhere(scope.ability, principal, 'read', 'ConsentRequest'), ALL)
    const notes = await listNotes(tx, id, accessibleWhere(scope.ability, principal, 'read', 'Note'), undefined, ALL)
    const accessLog = await listAccessLog(tx, abilityFor(principal), principal, ALL, showNames)
    const questions = await listReviewItems(tx, ofYoungPerson(id), ALL)
    return {
      value: { person, team, consents: consentRows, requests: requestRows, notes: notes.rows, accessLog, questions },
      audit: [
        { ...audit, youngPersonId: id, outcome: 'allowed' },
        { action: 'read', resourceType: 'AccessLog', youngPersonId: id, outcome: 'allowed' },
      ],
    }
  })
}

export type Overview = Awaited<ReturnType<typeof loadOverview>>

/** One grantee the page offers for a new consent: a professional, an agency as a whole, or one role in an agency. */
export interface TeamChoice {
  /** The form value: `professional:<id>`, `agency:<id>` or `agency:<id>:<role>`. */
  value: string
  grantee: GranteeInput
  name: string | null
  role: string | null
  agencyName: string
}

/**
 * Whom a new consent may name: the professionals who hold or held one of the young person's consents (while
 * their account is active), their agencies, and the roles seen there. Read as the overview is, and audited.
 */
export async function loadTeamChoices(door: Doorway, principal: YoungPersonPrincipal): Promise<TeamChoice[]> {
  const id = principal.youngPersonId
  const event = { action: 'read', resourceType: 'Team', category: 'pathway' } as const
  const outcome = await door.youngPerson(id, { action: 'read', subject: 'YoungPerson', audit: event }, async ({ tx }) => ({
    value: teamChoices(await listTeamEver(tx, id)),
    audit: [{ ...event, youngPersonId: id, outcome: 'allowed' as const }],
  }))
  if (!('value' in outcome)) throw new NotFoundError()
  return outcome.value
}

export function teamChoices(rows: FormerOrCurrentMember[]): TeamChoice[] {
  const people = new Map<string, TeamChoice>()
  const groups = new Map<string, TeamChoice>()
  const add = (map: Map<string, TeamChoice>, choice: TeamChoice) => map.has(choice.value) || map.set(choice.value, choice)
  for (const row of rows) {
    const agency = { agencyName: row.agencyName, name: null }
    if (row.professionalId && row.professionalActive) {
      add(people, { value: `professional:${row.professionalId}`, grantee: { professionalId: row.professionalId }, name: row.name, role: row.professionalRole, agencyName: row.agencyName })
    }
    add(groups, { value: `agency:${row.agencyId}`, grantee: { agencyId: row.agencyId }, role: null, ...agency })
    const role = row.professionalRole ?? row.granteeRole
    if (role) add(groups, { value: `agency:${row.agencyId}:${role}`, grantee: { agencyId: row.agencyId, role }, role, ...agency })
  }
  const byLabel = (a: TeamChoice, b: TeamChoice) => (a.name ?? '').localeCompare(b.name ?? '') || a.agencyName.localeCompare(b.agencyName) || (a.role ?? '').localeCompare(b.role ?? '')
  return [...[...people.values()].sort(byLabel), ...[...groups.values()].sort(byLabel)]
}
