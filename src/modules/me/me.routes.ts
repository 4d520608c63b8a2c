// The young person's own view: their record and every consent about them, with history, through the door.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { accessibleWhere, withYoungPerson } from '../../authz/index.js'
import { type PageRequest, pageRequest, toPage } from '../../http/pagination.js'
import { responses } from '../../http/schemas.js'
import * as consentQueries from '../../authz/data/consents.queries.js'
import { ConsentList, ConsentRequestList, ListQuery } from '../consents/consents.schemas.js'
import { presentConsent, presentRequest } from '../consents/consents.service.js'
import { retentionOf } from '../retention/retention.presenters.js'
import { findYoungPerson } from '../../authz/data/young-persons.queries.js'
import { ownYoungPersonId } from '../../authz/own.js'
import { Me, presentMe } from './me.presenters.js'

const byCreation = (row: { createdAt: Date; id: string }) => ({ at: row.createdAt, id: row.id })

type ListRequest = FastifyRequest<{ Querystring: { limit?: number; after?: string } }>

export const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  async function readOwnRecord(request: FastifyRequest) {
    const youngPersonId = ownYoungPersonId(request.principal)
    const audit = { action: 'read', resourceType: 'YoungPerson', resourceId: youngPersonId, category: 'identity' }
    return withYoungPerson(db, request, youngPersonId, { action: 'read', subject: 'YoungPerson', audit }, async ({ tx }) => {
      const row = (await findYoungPerson(tx, youngPersonId))!
      const value = presentMe(row, (await retentionOf(tx, app.config.retention, youngPersonId))!)
      return { value, audit: [{ ...audit, youngPersonId, outcome: 'allowed' }] }
    })
  }

  /** Their own consents, under the same `read Consent` rule as everyone's: the door decides and audits. */
  async function listOwnConsents(request: ListRequest, reply: FastifyReply) {
    const youngPersonId = ownYoungPersonId(request.principal)
    const page = pageRequest(request.query)
    const audit = { action: 'list', resourceType: 'Consent' }
    const rows = await withYoungPerson(db, request, youngPersonId, { action: 'read', subject: 'Consent', audit }, async ({ tx, scope }) => ({
      value: await consentQueries.listConsents(tx, accessibleWhere(scope.ability, request.principal, 'read', 'Consent'), page),
      audit: [{ ...audit, youngPersonId, outcome: 'allowed' }],
    }))
    return toPage(request, reply, page, rows, byCreation, presentConsent)
  }

  async function listOwnConsentRequests(request: ListRequest, reply: FastifyReply) {
    const youngPersonId = ownYoungPersonId(request.principal)
    const page: PageRequest = pageRequest(request.query)
    const audit = { action: 'list', resourceType: 'ConsentRequest' }
    const rows = await withYoungPerson(db, request, youngPersonId, { action: 'read', subject: 'ConsentRequest', audit }, async ({ tx, scope }) => ({
      value: await consentQueries.listConsentRequests(tx, accessibleWhere(scope.ability, request.principal, 'read', 'ConsentRequest'), page),
      audit: [{ ...audit, youngPersonId, outcome: 'allowed' }],
    }))
    return toPage(request, reply, page, rows, byCreation, presentRequest)
  }

  app.get('/me', { schema: { tags: ['me'], summary: 'Your own record', response: responses({ 200: Me }, 403) } }, readOwnRecord)

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
    listOwnConsents,
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
    listOwnConsentRequests,
  )
}
