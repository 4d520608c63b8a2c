// Anonymous statistics routes: visit counts and pathway counts, small counts suppressed.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ensureCan } from '../../authz/index.js'
import { responses } from '../../http/schemas.js'
import { centreToday } from '../visits/visits.service.js'
import * as s from './stats.schemas.js'
import { pathwayStats, visitStats } from './stats.service.js'

export const statsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database
  const k = app.config.statsMinCell

  app.get(
    '/stats/visits',
    {
      schema: {
        tags: ['visits'],
        summary: 'Count anonymous visits by up to two dimensions, over whole months',
        description:
          'Counts below k (STATS_MIN_CELL) are null, and so are the counts that would let one be worked out from the totals. Periods are whole calendar months that have ended. See the README, "Statistics and privacy", for what this does and does not protect.',
        querystring: s.VisitStatsQuery,
        response: responses({ 200: s.VisitStats }, 403),
      },
    },
    async (request) => {
      ensureCan(request.principal, 'read', 'Stats')
      return db.transaction((tx) => visitStats(tx, request.query, k, centreToday()))
    },
  )

  app.get(
    '/stats/pathways',
    {
      schema: {
        tags: ['visits'],
        summary: 'Count pathways, goals and referrals across all young persons',
        description: 'Aggregates only, never per person, with the same suppression as the visit statistics.',
        response: responses({ 200: s.PathwayStats }, 403),
      },
    },
    async (request) => {
      ensureCan(request.principal, 'read', 'Stats')
      return db.transaction((tx) => pathwayStats(tx, k))
    },
  )
}
