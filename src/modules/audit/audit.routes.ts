// Audit routes: chain heads, verification and event metadata (auditors); the young person's access log.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ensureCan, withRole } from '../../authz/index.js'
import { BadRequestError, UnprocessableError } from '../../errors.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { responses } from '../../http/schemas.js'
import { accessLogRoutes } from './access-log.routes.js'
import { readHeads, savedSnapshotIsIntact } from './audit.heads.js'
import * as queries from '../../authz/data/audit.queries.js'
import * as s from './audit.schemas.js'
import { verifyAuditLog } from './audit.verify.js'

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database
  await app.register(accessLogRoutes)

  app.get(
    '/audit/head',
    {
      schema: {
        tags: ['audit'],
        summary: 'Snapshot of every chain head; store it outside Polku to detect a cut tail later',
        response: responses({ 200: s.HeadSnapshot }, 403),
      },
    },
    async (request) => {
      ensureCan(request.principal, 'read', 'AuditLog')
      return db.transaction((tx) => readHeads(tx))
    },
  )

  app.get(
    '/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Walk every chain, recompute every hash and report the first broken link',
        response: responses({ 200: s.VerifyResult }, 403),
      },
    },
    async (request) => {
      ensureCan(request.principal, 'read', 'AuditLog')
      return verifyAuditLog(db)
    },
  )

  app.post(
    '/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Verify every chain and that each head of a saved snapshot is still in place',
        body: s.SavedHead,
        response: responses({ 200: s.VerifyResult }, 403, 422),
      },
    },
    async (request) => {
      ensureCan(request.principal, 'read', 'AuditLog')
      if (!savedSnapshotIsIntact(request.body)) {
        throw new UnprocessableError('The saved heads do not match their digest: the snapshot was changed after it was saved')
      }
      return verifyAuditLog(db, { savedHeads: request.body.heads })
    },
  )

  app.get(
    '/audit/events',
    {
      schema: {
        tags: ['audit'],
        summary: 'Audit events (metadata only), newest first',
        querystring: s.AuditEventQuery,
        response: responses({ 200: s.AuditEventList }, 403),
      },
    },
    async (request, reply) => {
      const { from, to } = request.query
      const page = pageRequest(request.query)
      const rows = await withRole(db, request, 'read', 'AuditLog', async (tx) => {
        if (from !== undefined && to !== undefined && Date.parse(from) > Date.parse(to)) throw new BadRequestError('from must not be after to')
        const found = await queries.listAuditEvents(tx, request.query, page)
        // Reading who accessed a young person's data is itself an access the young person can see.
        const people = new Set(found.slice(0, page.limit).flatMap((row) => (row.youngPersonId ? [row.youngPersonId] : [])))
        return { value: found, audit: [...people].map((youngPersonId) => ({ action: 'read', resourceType: 'AuditEvent', youngPersonId, outcome: 'allowed' as const })) }
      })
      return toPage(request, reply, page, rows, (row) => ({ at: row.occurredAt, id: row.id }), (row) => row)
    },
  )
}
