// Young persons: intake with the first consent, the record as the caller may see it, the caseload.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ensureCan, enterRole, mayStillRead, readCaseload, readYoungPerson } from '../../authz/index.js'
import type { Tx } from '../../db/client.js'
import { UnprocessableError } from '../../errors.js'
import { IdempotencyHeaders, idempotentCreate } from '../../http/idempotency.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { IdParams, OrIdsAndStatus, responses } from '../../http/schemas.js'
import type { AuditInput } from '../audit/audit.writer.js'
import { consentReceipt, grantConsent, presentConsent } from '../consents/consents.service.js'
import { issueLinkCode } from '../linking/link-codes.service.js'
import { enqueueConsentEvent } from '../webhooks/outbox.js'
import * as queries from '../../authz/data/young-persons.queries.js'
import * as s from './young-persons.schemas.js'

/** Age in whole years on `on` (both ISO dates). */
function ageOn(birthDate: string, on: Date): number {
  const birth = new Date(`${birthDate}T00:00:00Z`)
  let age = on.getUTCFullYear() - birth.getUTCFullYear()
  const beforeBirthday = on.getUTCMonth() < birth.getUTCMonth() || (on.getUTCMonth() === birth.getUTCMonth() && on.getUTCDate() < birth.getUTCDate())
  if (beforeBirthday) age -= 1
  return age
}

export const youngPersonRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  app.post(
    '/young-persons',
    {
      schema: {
        tags: ['young-persons'],
        summary: 'Intake: register a young person together with their first, in-person consent',
        headers: IdempotencyHeaders,
        body: s.Intake,
        response: responses({ 201: OrIdsAndStatus(s.IntakeResult) }, 403, 409, 422),
      },
    },
    async (request, reply) => {
      const principal = request.principal
      ensureCan(principal, 'create', 'YoungPerson')
      const { consent, ...person } = request.body
      if (consent === undefined) throw new UnprocessableError('consent is required: no consent, no intake')
      const now = new Date()
      if (new Date(`${person.birthDate}T00:00:00Z`) > now) throw new UnprocessableError('birthDate is in the future')
      if (ageOn(person.birthDate, now) >= app.config.maxAge) {
        throw new UnprocessableError(`Polku serves young persons under ${app.config.maxAge}`)
      }
      // Intake is the role's, not a consent's: the young person and their first consent are made here, with their events.
      const intake = (tx: Tx) => enterRole(tx, request, 'create', 'YoungPerson', async () => {
        const row = await queries.insertYoungPerson(tx, {
          ...person,
          createdByProfessionalId: principal.kind === 'professional' ? principal.professionalId : null,
        })
        const granted = await grantConsent(tx, request, row.id, consent)
        await enqueueConsentEvent(tx, 'consent.granted', granted)
        const audit: AuditInput[] = [
          { action: 'create', resourceType: 'YoungPerson', resourceId: row.id, youngPersonId: row.id, category: 'identity', consentIds: [granted.id], outcome: 'allowed' },
          { action: 'grant', resourceType: 'Consent', resourceId: granted.id, youngPersonId: row.id, consentIds: [granted.id], outcome: 'allowed' },
        ]
        const value = {
          id: row.id,
          createdAt: row.createdAt,
          givenName: row.givenName,
          familyName: row.familyName,
          birthDate: row.birthDate ?? person.birthDate,
          email: row.email,
          phone: row.phone,
          categories: granted.categories,
          consent: { ...presentConsent(granted), receipt: consentReceipt(granted) },
          ...(person.subject === undefined ? { linkCode: await issueLinkCode(tx, row.id) } : {}),
        }
        return { value, audit }
      })
      const created = await idempotentCreate(request, reply, 201, intake, (tx, stored) => mayStillRead(tx, principal, 'YoungPerson', { id: stored.id }))
      return reply.send(created!)
    },
  )

  app.get(
    '/young-persons/:id',
    {
      // The read's one statement re-checks the caller's account, so the principal needs no round trip of its own.
      config: { principalInStatement: true },
      schema: {
        tags: ['young-persons'],
        summary: 'A young person, with the fields of the categories the caller has consent for',
        params: IdParams,
        response: responses({ 200: s.YoungPerson }, 404),
      },
    },
    async function readYoungPersonRecord(request) {
      return readYoungPerson(db, request, request.params.id)
    },
  )

  app.get(
    '/caseload',
    {
      // The page's one statement re-checks the caller's account, so the principal needs no round trip of its own.
      config: { principalInStatement: true },
      schema: {
        tags: ['young-persons'],
        summary: 'The young persons who have consented to the caller',
        description: 'For professionals and partner systems; anyone else gets 403 (a young person reads their own record at /v1/me).',
        querystring: s.CaseloadQuery,
        response: responses({ 200: s.Caseload }, 403),
      },
    },
    async (request, reply) => {
      const page = pageRequest(request.query)
      const { rows, total } = await readCaseload(db, request, page)
      return { ...toPage(request, reply, page, rows, (r) => ({ at: r.createdAt, id: r.id }), (r) => r), total }
    },
  )
}
