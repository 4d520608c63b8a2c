// Review items: the young person asks ("Question this"), auditors list and answer; all of it audited.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ownYoungPerson, withRole } from '../../authz/index.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { IdParams, responses } from '../../http/schemas.js'
import * as queries from '../../authz/data/review-items.queries.js'
import * as s from './review-items.schemas.js'
import { answerQuestion, presentReviewItem, questionAccess } from './review-items.service.js'

const byCreation = (row: { createdAt: Date; id: string }) => ({ at: row.createdAt, id: row.id })

export const reviewItemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  app.post(
    '/me/review-items',
    {
      schema: {
        tags: ['me'],
        summary: 'Question an access in your access log; the data protection officer answers',
        body: s.AskQuestion,
        response: responses({ 201: s.ReviewItem }, 403, 404),
      },
    },
    async function askAboutAccess(request, reply) {
      const principal = ownYoungPerson(request.principal)
      const item = await questionAccess(db, request, principal, request.body.auditEventId, request.body.question)
      return reply.code(201).send(item)
    },
  )

  app.get(
    '/me/review-items',
    { schema: { tags: ['me'], summary: 'Your questions about accesses, with their answers', querystring: s.OwnListQuery, response: responses({ 200: s.ReviewItemList }, 403) } },
    async function readOwnReviewItems(request, reply) {
      const principal = ownYoungPerson(request.principal)
      const page = pageRequest(request.query)
      const rows = await withRole(db, request, 'read', 'ReviewItem', async (tx) => ({
        value: await queries.listReviewItems(tx, queries.ofYoungPerson(principal.youngPersonId), page),
        audit: [],
      }))
      return toPage(request, reply, page, rows, byCreation, presentReviewItem)
    },
  )

  app.get(
    '/audit/review-items',
    { schema: { tags: ['audit'], summary: "Young persons' questions about accesses (auditors)", querystring: s.ReviewItemQuery, response: responses({ 200: s.ReviewItemList }, 403) } },
    async function listReviewItems(request, reply) {
      const page = pageRequest(request.query)
      const rows = await withRole(db, request, 'read', 'AuditLog', async (tx) => {
        const found = await queries.listReviewItems(tx, queries.withStatus(request.query.status), page)
        // The questions are the young persons' own words: reading them is an access they can see.
        const people = new Set(found.slice(0, page.limit).map((row) => row.youngPersonId))
        return { value: found, audit: [...people].map((youngPersonId) => ({ action: 'read', resourceType: 'ReviewItem', youngPersonId, outcome: 'allowed' as const })) }
      })
      return toPage(request, reply, page, rows, byCreation, presentReviewItem)
    },
  )

  app.post(
    '/audit/review-items/:id/answer',
    { schema: { tags: ['audit'], summary: 'Answer a question; the young person reads it on their page', params: IdParams, body: s.Answer, response: responses({ 200: s.ReviewItem }, 403, 404, 409) } },
    async function answerReviewItem(request) {
      return answerQuestion(db, request, request.params.id, request.body.answer)
    },
  )
}
