// The young person's access log: who accessed or tried to access their data, when, and under which consent.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { abilityFor, ownYoungPerson, withList } from '../../authz/index.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { responses } from '../../http/schemas.js'
import { presentAccessLogEntry } from './audit.presenters.js'
import * as queries from '../../authz/data/audit.queries.js'
import * as s from './audit.schemas.js'

export const accessLogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/me/access-log',
    {
      schema: {
        tags: ['me'],
        summary: 'Who has accessed, or tried to access, my data; newest first',
        querystring: s.AccessLogQuery,
        response: responses({ 200: s.AccessLog }, 403),
      },
      config: { principalInStatement: true },
    },
    async (request, reply) => {
      const page = pageRequest(request.query)
      const rows = await withList(
        app.database,
        request,
        (tx, caller) => {
          const principal = ownYoungPerson(caller)
          return queries.listAccessLog(tx, abilityFor(principal), principal, page, app.config.accessLogShowsNames)
        },
        () => [{ action: 'read', resourceType: 'AccessLog', youngPersonId: ownYoungPerson(request.principal).youngPersonId, outcome: 'allowed' }],
      )
      return toPage(
        request,
        reply,
        page,
        rows,
        (row) => ({ at: row.occurredAt, id: row.id }),
        presentAccessLogEntry,
      )
    },
  )
}
