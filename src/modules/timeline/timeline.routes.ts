// Timeline routes: a young person's goals, steps, notes, referrals and consent events, newest first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { type PersonScope, type ReadAhead, type ReadAnswer, withYoungPersonRead } from '../../authz/index.js'
import { type PageRequest, pageRequest, toPage } from '../../http/pagination.js'
import { responses } from '../../http/schemas.js'
import { ownYoungPersonId } from '../../authz/own.js'
import { type TimelineRow, timelinePage } from '../../authz/data/timeline.queries.js'
import * as s from './timeline.schemas.js'

const byTime = (row: TimelineRow) => ({ at: row.at, id: row.id })
const same = (row: TimelineRow) => row

/** Reads a page inside the door: one audit event per data category shown, so the young person sees which were read. */
async function readTimeline({ tx, ability, principal, youngPersonId }: ReadAhead, page: PageRequest): Promise<ReadAnswer<TimelineRow[]>> {
  const rows = await timelinePage(tx, ability, principal, youngPersonId, page)
  const shown = rows.slice(0, page.limit)
  const categories = [...new Set(shown.flatMap((r) => (r.category === null ? [] : [r.category])))]
  const audit = (scope: PersonScope) =>
    (categories.length > 0 ? categories : [null]).map((category) => ({
    action: 'list',
    resourceType: 'Timeline',
    resourceId: youngPersonId,
    youngPersonId,
    category,
    consentIds: scope.consents.map((c) => c.id),
    outcome: 'allowed' as const,
  }))
  return { value: rows, audit }
}

export const timelineRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  /** Everyone's timeline read, the young person's own included: the same door, the same rules. */
  async function timelineOf(request: FastifyRequest, youngPersonId: string, page: PageRequest) {
    const access = { action: 'read', subject: 'YoungPerson', audit: { action: 'list', resourceType: 'Timeline', resourceId: youngPersonId } } as const
    return withYoungPersonRead(db, request, youngPersonId, access, (door) => readTimeline(door, page))
  }

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
      config: { principalInStatement: true },
    },
    async function readTimelineOf(request, reply) {
      const page = pageRequest(request.query)
      return toPage(request, reply, page, await timelineOf(request, request.params.id, page), byTime, same)
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
    async function readOwnTimeline(request, reply) {
      const page = pageRequest(request.query)
      return toPage(request, reply, page, await timelineOf(request, ownYoungPersonId(request.principal), page), byTime, same)
    },
  )
}
