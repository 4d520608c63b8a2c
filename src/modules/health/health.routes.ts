// Liveness (the process answers) and readiness (the database answers a query and no shutdown has begun).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { DatabaseUnavailableError, ShuttingDownError } from '../../errors.js'
import { responses } from '../../http/schemas.js'

const Status = Type.Object(
  { status: Type.Literal('ok', { description: 'Always "ok" when the check passes' }) },
  { additionalProperties: false, title: 'HealthStatus' },
)

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health/live',
    { schema: { tags: ['health'], summary: 'The process is up', security: [], response: responses({ 200: Status }) } },
    async () => ({ status: 'ok' as const }),
  )
  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'The database answers a query',
        security: [],
        response: responses({ 200: Status }),
      },
    },
    async () => {
      // A shutting-down instance tells load balancers to stop sending before it stops listening.
      if (app.lifecycle.draining) throw new ShuttingDownError()
      try {
        await app.database.ping()
      } catch {
        throw new DatabaseUnavailableError()
      }
      return { status: 'ok' as const }
    },
  )
}
