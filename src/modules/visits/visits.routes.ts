// Anonymous visit routes: record one visit, or a batch of up to 1,000 (all or nothing).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from 'typebox'
import { ensureCan } from '../../authz/index.js'
import { IdempotencyHeaders, idempotentCreate } from '../../http/idempotency.js'
import { responses } from '../../http/schemas.js'
import type { NewVisit } from './visits.queries.js'
import * as s from './visits.schemas.js'
import { recordVisits } from './visits.service.js'

type VisitBody = Static<typeof s.CreateVisit>

/** Defaults are filled in by validation; spelt out again so the stored row never depends on it. */
const newVisit = (v: VisitBody): NewVisit => ({ ...v, services: v.services ?? [], referredTo: v.referredTo ?? [] })

export const visitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/visits',
    {
      schema: {
        tags: ['visits'],
        summary: 'Record an anonymous visit',
        description:
          'Stores what happened, never who it happened to: no name, no identifier, no free text, no link to a young person, and not the professional who recorded it. Any property not listed is rejected with 400 naming it, and nothing is stored.',
        headers: IdempotencyHeaders,
        body: s.CreateVisit,
        response: responses({ 201: s.Visit }, 403, 409, 422),
      },
    },
    async (request, reply) => {
      ensureCan(request.principal, 'create', 'Visit')
      const visit = await idempotentCreate(request, reply, 201, async (tx) => (await recordVisits(tx, [newVisit(request.body)], () => 'body'))[0]!)
      return reply.send(visit!)
    },
  )

  app.post(
    '/visits/batch',
    {
      schema: {
        tags: ['visits'],
        summary: 'Record up to 1,000 anonymous visits at once, all or nothing',
        description:
          'For tallies kept offline. Every visit is checked first; if any is invalid the response names its index (e.g. `body.visits.517.centreId`) and none is stored.',
        headers: IdempotencyHeaders,
        body: s.CreateVisitBatch,
        response: responses({ 201: s.VisitBatchResult }, 403, 409, 422),
      },
    },
    async (request, reply) => {
      ensureCan(request.principal, 'create', 'Visit')
      const result = await idempotentCreate(request, reply, 201, async (tx) => {
        const stored = await recordVisits(tx, request.body.visits.map(newVisit), (i) => `body.visits.${i}`)
        return { created: stored.length }
      })
      return reply.send(result!)
    },
  )
}
