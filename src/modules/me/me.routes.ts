// The young person's own view: their record and every consent about them, with history.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { eq } from 'drizzle-orm'
import { type Static, Type } from 'typebox'
import type { Principal } from '../../auth/principal.js'
import { consentRequests, consents } from '../../db/schema/index.js'
import { ForbiddenError } from '../../errors.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { responses } from '../../http/schemas.js'
import { recordAudit } from '../audit/audit.writer.js'
import * as consentQueries from '../consents/consents.queries.js'
import { ConsentList, ConsentRequestList, ListQuery } from '../consents/consents.schemas.js'
import { presentConsent, presentRequest } from '../consents/consents.service.js'
import { retentionOf } from '../retention/retention.presenters.js'
import { Retention } from '../retention/retention.schemas.js'
import { findYoungPerson } from '../young-persons/young-persons.queries.js'

export const Me = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Your id' }),
    givenName: Type.String({ description: 'Given name' }),
    familyName: Type.String({ description: 'Family name' }),
    birthDate: Type.Union([Type.String({ format: 'date' }), Type.Null()], { description: 'Birth date; null once erased' }),
    email: Type.Union([Type.String(), Type.Null()], { description: 'Email address' }),
    phone: Type.Union([Type.String(), Type.Null()], { description: 'Phone number' }),
    createdAt: Type.Unsafe<Date | string>({ type: 'string', format: 'date-time', description: 'When your record was made' }),
    retention: Retention,
  },
  { additionalProperties: false },
)

type PersonRow = NonNullable<Awaited<ReturnType<typeof findYoungPerson>>>

export function presentMe(row: PersonRow, retention: Static<typeof Retention>): Static<typeof Me> {
  const { id, givenName, familyName, birthDate, email, phone, createdAt } = row
  return { id, givenName, familyName, birthDate, email, phone, createdAt, retention }
}

/** Only a young person's own token reaches these routes; their id comes from the token alone. */
export function ownYoungPersonId(principal: Principal): string {
  if (principal.kind !== 'young_person') throw new ForbiddenError('These routes are for young persons signed in with their own account')
  return principal.youngPersonId
}

const byCreation = (row: { createdAt: Date; id: string }) => ({ at: row.createdAt, id: row.id })

export const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  app.get(
    '/me',
    { schema: { tags: ['me'], summary: 'Your own record', response: responses({ 200: Me }, 403) } },
    async (request) => {
      const id = ownYoungPersonId(request.principal)
      return db.transaction(async (tx) => {
        const row = (await findYoungPerson(tx, id))!
        await recordAudit(tx, request, [{ action: 'read', resourceType: 'YoungPerson', resourceId: id, youngPersonId: id, category: 'identity', outcome: 'allowed' }])
        return presentMe(row, (await retentionOf(tx, app.config.retention, id))!)
      })
    },
  )

  app.get(
    '/me/consents',
    {
      schema: {
        tags: ['me'],
        summary: 'Every consent about you, active or not, newest first',
        querystring: ListQuery,
        response: responses({ 200: ConsentList }, 403),
      },
    },
    async (request, reply) => {
      const id = ownYoungPersonId(request.principal)
      const page = pageRequest(request.query)
      const rows = await db.transaction((tx) => consentQueries.listConsents(tx, eq(consents.youngPersonId, id), page))
      return toPage(request, reply, page, rows, byCreation, presentConsent)
    },
  )

  app.get(
    '/me/consent-requests',
    {
      schema: {
        tags: ['me'],
        summary: 'Consent requests professionals have sent you',
        querystring: ListQuery,
        response: responses({ 200: ConsentRequestList }, 403),
      },
    },
    async (request, reply) => {
      const id = ownYoungPersonId(request.principal)
      const page = pageRequest(request.query)
      const rows = await db.transaction((tx) => consentQueries.listConsentRequests(tx, eq(consentRequests.youngPersonId, id), page))
      return toPage(request, reply, page, rows, byCreation, presentRequest)
    },
  )
}
