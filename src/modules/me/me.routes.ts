// The young person's own view: their record and every consent about them, with history.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { eq } from 'drizzle-orm'
import { consentRequests, consents } from '../../db/schema/index.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { responses } from '../../http/schemas.js'
import { recordAudit } from '../audit/audit.writer.js'
import * as consentQueries from '../consents/consents.queries.js'
import { ConsentList, ConsentRequestList, ListQuery } from '../consents/consents.schemas.js'
import { presentConsent, presentRequest } from '../consents/consents.service.js'
import { retentionOf } from '../retention/retention.presenters.js'
import { findYoungPerson } from '../young-persons/young-persons.queries.js'
import { Me, ownYoungPersonId, presentMe } from './me.presenters.js'

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
