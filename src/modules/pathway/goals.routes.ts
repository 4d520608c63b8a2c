// Goal routes: set a goal, read one, change one under If-Match.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { accessibleWhere, enterDoor, mayStillRead, type RecordAccess, withRecord, withRecordRead } from '../../authz/index.js'
import type { Tx } from '../../db/client.js'
import { ConflictError, PreconditionFailedError } from '../../errors.js'
import { IdempotencyHeaders, idempotentCreate } from '../../http/idempotency.js'
import { IdParams, OrIdsAndStatus, responses } from '../../http/schemas.js'
import { categoryOf, consentIdsFor, type Denial, denialFor, refuse } from './access.js'
import { ifMatchVersions, sendEtag } from './etag.js'
import * as queries from '../../authz/data/pathway.queries.js'
import * as s from './pathway.schemas.js'
import { presentGoal, writeEvent } from './pathway.service.js'

export const goalRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  app.post(
    '/young-persons/:id/goals',
    {
      schema: {
        tags: ['pathway'],
        summary: 'Set a goal (needs `pathway` write consent, and write on the goal’s category when it has one)',
        params: s.YoungPersonParams,
        headers: IdempotencyHeaders,
        body: s.CreateGoal,
        response: responses({ 201: OrIdsAndStatus(s.Goal) }, 403, 404, 409),
      },
    },
    async (request, reply) => {
      const principal = request.principal
      const youngPersonId = request.params.id
      const goal = { youngPersonId, category: request.body.category ?? null }
      let denial: Denial | undefined
      const event = { action: 'create', resourceType: 'Goal' as const, resourceId: null, youngPersonId, category: goal.category }
      const access = { action: 'write', subject: 'Goal', row: goal, audit: { action: 'create', resourceType: 'Goal', resourceId: null, category: categoryOf(goal.category) } } as const
      const created = await idempotentCreate(request, reply, 201, async (tx) => {
        const outcome = await enterDoor(tx, request, youngPersonId, access, async ({ scope }) => {
          const pathway = await queries.findPathway(tx, youngPersonId)
          if (pathway?.status === 'closed') throw new ConflictError('The pathway is closed; reopen it before adding goals')
          const row = await queries.insertGoal(tx, {
            ...request.body,
            youngPersonId,
            createdByProfessionalId: principal.kind === 'professional' ? principal.professionalId : null,
          })
          return { value: presentGoal(row, []), audit: [writeEvent(scope, { ...event, resourceId: row.id }, 'allowed')] }
        })
        if ('denial' in outcome) denial = outcome.denial
        return 'value' in outcome ? outcome.value : null
      }, async (tx, stored) => mayStillRead(tx, principal, 'Goal', await queries.findGoal(tx, stored.id)))
      if (!created) refuse(denial)
      if ('etag' in created) sendEtag(reply, created)
      reply.header('location', `/v1/goals/${created.id}`)
      return created
    },
  )

  app.get(
    '/goals/:id',
    {
      schema: {
        tags: ['pathway'],
        summary: 'One goal with its steps, and its ETag',
        params: IdParams,
        response: responses({ 200: s.Goal }, 404),
      },
      config: { principalInStatement: true },
    },
    async function readGoal(request, reply) {
      const access = { action: 'read', subject: 'Goal', audit: { action: 'read', resourceType: 'Goal', resourceId: request.params.id } } as const
      const id = request.params.id
      const goal = { id, locate: (tx: Tx) => queries.findGoal(tx, id) }
      const view = await withRecordRead(db, request, goal, access, async ({ tx, ability, principal }) => {
        const steps = await queries.listSteps(tx, { goalId: id }, accessibleWhere(ability, principal, 'read', 'Step'))
        return (row, scope) => {
          const category = categoryOf(row.category)
          const consentIds = consentIdsFor(scope, 'read', ['pathway', category])
          return { value: presentGoal(row, steps), audit: [{ ...access.audit, youngPersonId: row.youngPersonId, category, consentIds, outcome: 'allowed' }] }
        }
      })
      sendEtag(reply, view)
      return view
    },
  )

  app.patch(
    '/goals/:id',
    {
      schema: {
        tags: ['pathway'],
        summary: 'Change a goal (needs If-Match; write on `pathway` and on the goal’s old and new category)',
        params: IdParams,
        headers: s.IfMatchHeaders,
        body: s.PatchGoal,
        response: responses({ 200: s.Goal }, 403, 404, 412, 428),
      },
    },
    async (request, reply) => {
      const principal = request.principal
      const versions = ifMatchVersions(request, request.params.id)
      const id = request.params.id
      const change = request.body
      const access: RecordAccess<queries.GoalRow> = {
        action: 'write',
        subject: 'Goal',
        audit: (row) => ({ action: 'update', resourceType: 'Goal', resourceId: row?.id ?? id, ...(row ? { category: categoryOf(row.category) } : {}) }),
      }
      const view = await withRecord(db, request, (tx) => queries.findGoal(tx, id), access, async ({ tx, scope }, row) => {
        const moved = change.category === undefined ? row : { ...row, category: change.category }
        if (!scope.can('write', 'Goal', moved)) return denialFor(scope, row.youngPersonId)
        const updated = await queries.updateGoal(tx, row.id, change, versions)
        if (!updated) throw new PreconditionFailedError()
        const steps = await queries.listSteps(tx, { goalId: row.id }, accessibleWhere(scope.ability, principal, 'read', 'Step'))
        const event = { action: 'update', resourceType: 'Goal' as const, resourceId: row.id, youngPersonId: row.youngPersonId, category: row.category }
        const events = [writeEvent(scope, event, 'allowed')]
        if (updated.category !== row.category) events.push(writeEvent(scope, { ...event, category: updated.category }, 'allowed'))
        return { value: presentGoal(updated, steps), audit: events }
      })
      sendEtag(reply, view)
      return view
    },
  )
}
