// Erasure requests, legal holds and the erasure notices to partners: asked by the young person, decided by the auditor.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { type Static, Type } from 'typebox'
import type { Principal } from '../../auth/principal.js'
import { ensureCan } from '../../authz/index.js'
import type { DataCategory } from '../../config.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { IdParams, PageQuery, responses } from '../../http/schemas.js'
import { ownYoungPersonId } from '../me/me.presenters.js'
import { YoungPersonParams } from '../pathway/pathway.schemas.js'
import { presentErasureRequest } from './erasure.presenters.js'
import * as service from './erasure.service.js'
import { listErasureNotices, presentNotice } from './notices.queries.js'
import * as s from './retention.schemas.js'

function presentHold(row: service.LegalHoldRow): Static<typeof s.LegalHold> {
  return { id: row.id, youngPersonId: row.youngPersonId, reason: row.reason, setAt: row.setAt, liftedAt: row.liftedAt, liftReason: row.liftReason }
}

/** The deciding account: only auditors pass the ability checks of these routes. */
const accountOf = (principal: Principal) => (principal as { accountId: string }).accountId

const byRequested = (row: service.ErasureRequestRow) => ({ at: row.requestedAt, id: row.id })
const ListQuery = Type.Object(PageQuery, { additionalProperties: false })

export const erasureRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  app.post(
    '/me/erasure-requests',
    {
      schema: {
        tags: ['me'],
        summary: 'Ask for your data to be erased (GDPR art. 17); the data protection officer decides',
        body: s.CreateErasureRequest,
        response: responses({ 201: s.ErasureRequest }, 403, 409),
      },
    },
    async function askForErasure(request, reply) {
      const id = ownYoungPersonId(request.principal)
      ensureCan(request.principal, 'create', 'ErasureRequest')
      const row = await db.transaction((tx) => service.requestErasure(tx, request, id, request.body.categories as DataCategory[] | undefined))
      reply.code(201)
      return presentErasureRequest(row)
    },
  )

  app.get(
    '/me/erasure-requests',
    { schema: { tags: ['me'], summary: 'Your erasure requests, their state and the reason of each decision', querystring: ListQuery, response: responses({ 200: s.ErasureRequestList }, 403) } },
    async function readOwnErasureRequests(request, reply) {
      const id = ownYoungPersonId(request.principal)
      ensureCan(request.principal, 'read', 'ErasureRequest')
      const page = pageRequest(request.query)
      const rows = await db.transaction((tx) => service.listErasureRequests(tx, service.erasureRequestsOf(id), page))
      return toPage(request, reply, page, rows, byRequested, presentErasureRequest)
    },
  )

  app.get(
    '/erasure-requests',
    { schema: { tags: ['audit'], summary: 'Erasure requests to decide (auditor)', querystring: s.ErasureQuery, response: responses({ 200: s.ErasureRequestList }, 403) } },
    async function readErasureRequests(request, reply) {
      ensureCan(request.principal, 'decide', 'ErasureRequest')
      const page = pageRequest(request.query)
      const status = request.query.status
      const rows = await db.transaction((tx) => service.listErasureRequests(tx, service.erasureRequestsInStatus(status), page))
      return toPage(request, reply, page, rows, byRequested, presentErasureRequest)
    },
  )

  app.post(
    '/erasure-requests/:id/decision',
    {
      schema: {
        tags: ['audit'],
        summary: 'Grant (erasure runs at once), refuse with an art. 17(3) ground, or grant in part (auditor); 409 under a legal hold',
        params: IdParams,
        body: s.ErasureDecision,
        response: responses({ 200: s.ErasureRequest }, 403, 404, 409),
      },
    },
    async function decideErasureRequest(request) {
      ensureCan(request.principal, 'decide', 'ErasureRequest')
      const row = await db.transaction((tx) =>
        service.decideErasure(tx, request, accountOf(request.principal), request.params.id, request.body as service.Decision, new Date()),
      )
      return presentErasureRequest(row)
    },
  )

  app.post(
    '/young-persons/:id/legal-holds',
    {
      schema: {
        tags: ['audit'],
        summary: 'Set a legal hold (auditor): retention and erasure stop for this young person until it is lifted',
        params: YoungPersonParams,
        body: s.LegalHoldBody,
        response: responses({ 201: s.LegalHold }, 403, 404),
      },
    },
    async function placeLegalHold(request, reply) {
      ensureCan(request.principal, 'manage', 'LegalHold')
      const row = await db.transaction((tx) => service.setLegalHold(tx, request, accountOf(request.principal), request.params.id, request.body.reason))
      reply.code(201)
      return presentHold(row)
    },
  )

  app.get(
    '/young-persons/:id/legal-holds',
    { schema: { tags: ['audit'], summary: 'Legal holds of a young person, lifted or not (auditor)', params: YoungPersonParams, querystring: ListQuery, response: responses({ 200: s.LegalHoldList }, 403) } },
    async function readLegalHolds(request, reply) {
      ensureCan(request.principal, 'manage', 'LegalHold')
      const page = pageRequest(request.query)
      const rows = await db.transaction((tx) => service.listLegalHolds(tx, request.params.id, page))
      return toPage(request, reply, page, rows, (r) => ({ at: r.setAt, id: r.id }), presentHold)
    },
  )

  app.post(
    '/legal-holds/:id/lift',
    { schema: { tags: ['audit'], summary: 'Lift a legal hold, with a reason (auditor)', params: IdParams, body: s.LegalHoldBody, response: responses({ 200: s.LegalHold }, 403, 404, 409) } },
    async function liftLegalHold(request) {
      ensureCan(request.principal, 'manage', 'LegalHold')
      return presentHold(await db.transaction((tx) => service.liftLegalHold(tx, request, accountOf(request.principal), request.params.id, request.body.reason)))
    },
  )

  app.get(
    '/audit/erasure-notices',
    {
      schema: {
        tags: ['audit'],
        summary: 'personal_data.erased notices per partner endpoint, acknowledged (2xx) or not (auditor)',
        querystring: s.ErasureNoticeQuery,
        response: responses({ 200: s.ErasureNoticeList }, 403),
      },
    },
    async function readErasureNotices(request, reply) {
      ensureCan(request.principal, 'read', 'AuditLog')
      const page = pageRequest(request.query)
      const rows = await db.transaction((tx) => listErasureNotices(tx, request.query.unacknowledged === true, page))
      return toPage(request, reply, page, rows, (r) => ({ at: new Date(r.created_at), id: r.id }), presentNotice)
    },
  )
}
