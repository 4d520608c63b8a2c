// Timeline routes: a young person's goals, steps, notes, referrals and consent events, newest first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { type AppAbility, abilityFor, scopeForYoungPerson } from '../../authz/index.js'
import type { Tx } from '../../db/client.js'
import { NotFoundError } from '../../errors.js'
import { type PageRequest, pageRequest, toPage } from '../../http/pagination.js'
import { responses } from '../../http/schemas.js'
import { recordAudit } from '../audit/audit.writer.js'
import { ownYoungPersonId } from '../me/me.presenters.js'
import { findYoungPerson } from '../young-persons/young-persons.queries.js'
import { type TimelineRow, timelinePage } from './timeline.queries.js'
import * as s from './timeline.schemas.js'

const byTime = (row: TimelineRow) => ({ at: row.at, id: row.id })
const same = (row: TimelineRow) => row

/** Reads a page and records it: one audit event per data category shown, so the young person sees which were read. */
async function readTimeline(tx: Tx, request: FastifyRequest, ability: AppAbility, youngPersonId: string, page: PageRequest, consentIds: string[]) {
  const rows = await timelinePage(tx, ability, request.principal, youngPersonId, page)
  const shown = rows.slice(0, page.limit)
  const categories = [...new Set(shown.flatMap((r) => (r.category === null ? [] : [r.category])))]
  await recordAudit(
    tx,
    request,
    (categories.length > 0 ? categories : [null]).map((category) => ({
      action: 'list',
      resourceType: 'Timeline',
      resourceId: youngPersonId,
      youngPersonId,
      category,
      consentIds,
      outcome: 'allowed' as const,
    })),
  )
  return rows
}

export const timelineRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  app.get(
    '/young-persons/:id/timeline',
    {
      schema: {
        tags: ['pathway'],
        summary: "A young person's timeline: goals, steps, notes, referrals and consent events the caller may read, newest first",
        params: s.YoungPersonParams,
        querystring: s.TimelineQuery,
        response: responses({ 200: s.Timeline }, 404),
      },
    },
    async (request, reply) => {
      const youngPersonId = request.params.id
      const page = pageRequest(request.query)
      const rows = await db.transaction(async (tx) => {
        const scope = await scopeForYoungPerson(tx, request.principal, youngPersonId)
        const person = await findYoungPerson(tx, youngPersonId)
        if (!person || !scope.can('read', 'YoungPerson', { id: youngPersonId })) {
          await recordAudit(tx, request, [{ action: 'list', resourceType: 'Timeline', resourceId: youngPersonId, youngPersonId: person ? youngPersonId : null, outcome: 'denied' }])
          return null
        }
        return readTimeline(tx, request, scope.ability, youngPersonId, page, scope.consents.map((c) => c.id))
      })
      if (!rows) throw new NotFoundError()
      return toPage(request, reply, page, rows, byTime, same)
    },
  )

  app.get(
    '/me/timeline',
    {
      schema: {
        tags: ['me'],
        summary: 'Your timeline: everything about you, in every category, newest first',
        querystring: s.TimelineQuery,
        response: responses({ 200: s.Timeline }, 403),
      },
    },
    async (request, reply) => {
      const youngPersonId = ownYoungPersonId(request.principal)
      const page = pageRequest(request.query)
      const rows = await db.transaction((tx) => readTimeline(tx, request, abilityFor(request.principal), youngPersonId, page, []))
      return toPage(request, reply, page, rows, byTime, same)
    },
  )
}
