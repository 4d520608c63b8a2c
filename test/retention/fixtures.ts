// Retention test fixtures: a centre with a counsellor, a partner endpoint that hears about young persons, and a scan of every text column.
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { queryRows, type Queryable } from '../../src/db/client.js'
import { type Actor, createAdmin, createAgency, createAuditor, createProfessional, createYoungPerson, grantConsent, type ProfessionalActor, type YoungPersonFixture } from '../factories.js'
import { createEndpoint, createPartner } from '../webhooks/fixtures.js'
import type { Receiver } from '../webhooks/receiver.js'
import { issueLinkCode } from '../../src/modules/linking/link-codes.service.js'

export interface Centre {
  admin: Actor
  auditor: Actor
  agencyId: string
  counsellor: ProfessionalActor
  endpointId: string
}

export async function createCentre(app: FastifyInstance, receiver: Receiver): Promise<Centre> {
  const admin = await createAdmin(app)
  const auditor = await createAuditor(app)
  const agency = await createAgency(app, admin, { name: 'Ohjaamo', kind: 'youth_work' })
  const counsellor = await createProfessional(app, admin, { agencyId: agency.id, role: 'youth_counsellor' })
  const partner = await createPartner(app, admin, agency.id, ['pathway:read'])
  const endpoint = await createEndpoint(app, partner, receiver.url, ['consent.granted', 'pathway.closed'])
  return { admin, auditor, agencyId: agency.id, counsellor, endpointId: endpoint.id }
}

/**
 * A young person whose partner system was told about them (an agency-wide consent), with a note, a goal and a
 * referral reason carrying `marker`, so a scan can look for it after erasure.
 */
export async function youngPersonWithContent(app: FastifyInstance, centre: Centre, marker: string): Promise<YoungPersonFixture & { actor: Actor }> {
  const yp = await createYoungPerson(app, centre.counsellor, { withAccount: true, givenName: `${marker}-given` })
  await grantConsent(app, yp, { grantee: { agencyId: centre.agencyId }, categories: ['pathway'], actions: ['read'] })
  const headers = centre.counsellor.headers
  const post = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers, payload })
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
    return res.json()
  }
  await post(`/v1/young-persons/${yp.id}/notes`, { category: 'pathway', body: `${marker}-note: moved in with a cousin` })
  await post(`/v1/young-persons/${yp.id}/goals`, { title: `${marker}-goal: apprenticeship` })
  // A question about the counsellor's access in the young person's own words, answered by the auditor quoting them.
  const [access] = await queryRows<{ id: string }>(app.database.db, sql`select id from audit_events where young_person_id = ${yp.id} and actor_kind = 'professional' order by seq desc limit 1`)
  const asked = await app.inject({ method: 'POST', url: '/v1/me/review-items', headers: yp.actor!.headers, payload: { auditEventId: access!.id, question: `${marker}-question: why?` } })
  if (asked.statusCode !== 201) throw new Error(`question: ${asked.statusCode} ${asked.body}`)
  const answered = await app.inject({ method: 'POST', url: `/v1/audit/review-items/${asked.json().id}/answer`, headers: centre.auditor.headers, payload: { answer: `You asked "${marker}-question"; it was a note.` } })
  if (answered.statusCode !== 200) throw new Error(`answer: ${answered.statusCode} ${answered.body}`)
  // An unused link code, as if one had been issued again at the desk; only its hash is stored.
  await app.database.db.transaction((tx) => issueLinkCode(tx, yp.id))
  return yp as YoungPersonFixture & { actor: Actor }
}

export async function closeAsCounsellor(app: FastifyInstance, centre: Centre, youngPersonId: string) {
  const res = await app.inject({ method: 'POST', url: `/v1/young-persons/${youngPersonId}/pathway/close`, headers: centre.counsellor.headers, payload: { reason: 'goals_reached' } })
  if (res.statusCode !== 200) throw new Error(`close: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** Every (table, column) holding text or JSON, and the rows where `needle` occurs in it. */
export async function findEverywhere(q: Queryable, needle: string): Promise<string[]> {
  const columns = await queryRows<{ table_name: string; column_name: string }>(
    q,
    sql`select table_name, column_name from information_schema.columns
      where table_schema = 'public' and data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY')
      order by table_name, column_name`,
  )
  const hits: string[] = []
  for (const c of columns) {
    const rows = await queryRows<{ n: number }>(
      q,
      sql`select count(*)::int as n from ${sql.identifier(c.table_name)} where ${sql.identifier(c.column_name)}::text ilike ${`%${needle}%`}`,
    )
    if ((rows[0]?.n ?? 0) > 0) hits.push(`${c.table_name}.${c.column_name}`)
  }
  return hits
}

export async function countColumns(q: Queryable): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    q,
    sql`select count(*)::int as n from information_schema.columns where table_schema = 'public' and data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
  )
  return row?.n ?? 0
}
