// Erasure requests, legal holds and the erasure notices to partners: asked by the young person, decided by the auditor.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { type Static, Type } from 'typebox'
import { principalId } from '../../auth/principal.js'
import { withRole } from '../../authz/index.js'
import { ownYoungPersonId } from '../../authz/own.js'
import type { Tx } from '../../db/client.js'
import type { DataCategory } from '../../config.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { IdParams, PageQuery, responses } from '../../http/schemas.js'
import { YoungPersonParams } from '../pathway/pathway.schemas.js'
import { presentErasureRequest } from './erasure.presenters.js'
import * as service from './erasure.service.js'
import { listErasureNotices, presentNotice } from './notices.queries.js'
import * as s from './retention.schemas.js'

function presentHold(row: service.LegalHoldRow): Static<typeof s.LegalHold> {
  return { id: row.id, youngPersonId: row.youngPersonId, reason: row.reason, setAt: row.setAt, liftedAt: row.liftedAt, liftReason: row.liftReason }
}

/** Lists whose reading is not itself an event: requests, holds and notices name no content of the young person's records. */
const unaudited =
  <T>(read: (tx: Tx) => Promise<T>) =>
  async (tx: Tx) => ({ value: await read(tx), audit: [] })

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
      const row = await withRole(db, request, 'create', 'ErasureRequest', (tx) => service.requestErasure(tx, id, request.body.categories as DataCategory[] | undefined))
      reply.code(201)
      return presentErasureRequest(row)
    },
  )

  app.get(
    '/me/erasure-requests',
    { schema: { tags: ['me'], summary: 'Your erasure requests, their state and the reason of each decision', querystring: ListQuery, response: responses({ 200: s.ErasureRequestList }, 403) } },
    async function readOwnErasureRequests(request, reply) {
      const id = ownYoungPersonId(request.principal)
      const page = pageRequest(request.query)
      const rows = await withRole(db, request, 'read', 'ErasureRequest', unaudited((tx) => service.listErasureRequests(tx, service.erasureRequestsOf(id), page)))
      return toPage(request, reply, page, rows, byRequested, presentErasureRequest)
    },
  )

  app.get(
    '/erasure-requests',
    { schema: { tags: ['audit'], summary: 'Erasure requests to decide (auditor)', querystring: s.ErasureQuery, response: responses({ 200: s.ErasureRequestList }, 403) } },
    async function readErasureRequests(request, reply) {
      const page = pageRequest(request.query)
      const status = request.query.status
      const rows = await withRole(db, request, 'decide', 'ErasureRequest', unaudited((tx) => service.listErasureRequests(tx, service.erasureRequestsInStatus(status), page)))
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
      const decision = request.body as service.Decision
      const row = await withRole(db, request, 'decide', 'ErasureRequest', (tx) => service.decideErasure(tx, request, principalId(request.principal), request.params.id, decision, new Date()))
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
      const row = await withRole(db, request, 'manage', 'LegalHold', (tx) => service.setLegalHold(tx, principalId(request.principal), request.params.id, request.body.reason))
      reply.code(201)
      return presentHold(row)
    },
  )

  app.get(
    '/young-persons/:id/legal-holds',
    { schema: { tags: ['audit'], summary: 'Legal holds of a young person, lifted or not (auditor)', params: YoungPersonParams, querystring: ListQuery, response: responses({ 200: s.LegalHoldList }, 403) } },
    async function readLegalHolds(request, reply) {
      const page = pageRequest(request.query)
      const rows = await withRole(db, request, 'manage', 'LegalHold', unaudited((tx) => service.listLegalHolds(tx, request.params.id, page)))
      return toPage(request, reply, page, rows, (r) => ({ at: r.setAt, id: r.id }), presentHold)
    },
  )

  app.post(
    '/legal-holds/:id/lift',
    { schema: { tags: ['audit'], summary: 'Lift a legal hold, with a reason (auditor)', params: IdParams, body: s.LegalHoldBody, response: responses({ 200: s.LegalHold }, 403, 404, 409) } },
    async function liftLegalHold(request) {
      return presentHold(await withRole(db, request, 'manage', 'LegalHold', (tx) => service.liftLegalHold(tx, principalId(request.principal), request.params.id, request.body.reason)))
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
      const page = pageRequest(request.query)
      const rows = await withRole(db, request, 'read', 'AuditLog', unaudited((tx) => listErasureNotices(tx, request.query.unacknowledged === true, page)))
      return toPage(request, reply, page, rows, (r) => ({ at: new Date(r.created_at), id: r.id }), presentNotice)
    },
  )
}
