// Step routes: add a step to a goal, read one, change one under If-Match.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { enterRecord, mayStillRead, type RecordAccess, withRecord, withRecordRead } from '../../authz/index.js'
import type { Tx } from '../../db/client.js'
import { ConflictError, PreconditionFailedError, UnprocessableError } from '../../errors.js'
import { IdempotencyHeaders, idempotentCreate } from '../../http/idempotency.js'
import { IdParams, OrIdsAndStatus, responses } from '../../http/schemas.js'
import { categoryOf, consentIdsFor, type Denial, refuse } from './access.js'
import { ifMatchVersions, sendEtag } from './etag.js'
import * as queries from '../../authz/data/pathway.queries.js'
import * as s from './pathway.schemas.js'
import { presentStep, writeEvent } from './pathway.service.js'

/** A step's owner must be on the team, so nobody is handed work on a pathway they cannot see. */
async function checkOwner(tx: Tx, youngPersonId: string, ownerProfessionalId: string | null | undefined): Promise<void> {
  if (ownerProfessionalId === null || ownerProfessionalId === undefined) return
  if (!(await queries.onTeam(tx, youngPersonId, ownerProfessionalId))) {
    throw new UnprocessableError('ownerProfessionalId must name a professional who holds pathway consent for this young person')
  }
}

export const stepRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  app.post(
    '/goals/:id/steps',
    {
      schema: {
        tags: ['pathway'],
        summary: 'Add a step to a goal (needs write on `pathway` and on the goal’s category)',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: s.CreateStep,
        response: responses({ 201: OrIdsAndStatus(s.Step) }, 403, 404, 409, 422),
      },
    },
    async (request, reply) => {
      const principal = request.principal
      let denial: Denial | undefined
      const goalId = request.params.id
      // The rules are checked against the step to be, which carries its goal's young person and category.
      const locate = async (tx: Tx) => {
        const goal = await queries.findGoal(tx, goalId)
        return goal && { goalId: goal.id, youngPersonId: goal.youngPersonId, goalCategory: goal.category }
      }
      const access: RecordAccess<{ goalCategory: string | null }> = {
        action: 'write',
        subject: 'Step',
        audit: (step) => ({ action: 'create', resourceType: 'Step', resourceId: null, ...(step ? { category: categoryOf(step.goalCategory) } : {}) }),
      }
      const created = await idempotentCreate(request, reply, 201, async (tx) => {
        const outcome = await enterRecord(tx, request, locate, access, async ({ scope }, step) => {
          const pathway = await queries.findPathway(tx, step.youngPersonId)
          if (pathway?.status === 'closed') throw new ConflictError('The pathway is closed; reopen it before adding steps')
          await checkOwner(tx, step.youngPersonId, request.body.ownerProfessionalId)
          const row = await queries.insertStep(tx, { ...request.body, ...step })
          const event = { action: 'create', resourceType: 'Step' as const, resourceId: row.id, youngPersonId: step.youngPersonId, category: step.goalCategory }
          return { value: presentStep(row), audit: [writeEvent(scope, event, 'allowed')] }
        })
        if ('denial' in outcome) denial = outcome.denial
        return 'value' in outcome ? outcome.value : null
      }, async (tx, stored) => mayStillRead(tx, principal, 'Step', await queries.findStep(tx, stored.id)))
      if (!created) refuse(denial)
      if ('etag' in created) sendEtag(reply, created)
      reply.header('location', `/v1/steps/${created.id}`)
      return created
    },
  )

  app.get(
    '/steps/:id',
    {
      schema: {
        tags: ['pathway'],
        summary: 'One step, and its ETag',
        params: IdParams,
        response: responses({ 200: s.Step }, 404),
      },
      config: { principalInStatement: true },
    },
    async function readStep(request, reply) {
      const access = { action: 'read', subject: 'Step', audit: { action: 'read', resourceType: 'Step', resourceId: request.params.id } } as const
      const id = request.params.id
      const step = { id, locate: (tx: Tx) => queries.findStep(tx, id) }
      const view = await withRecordRead(db, request, step, access, async () => (row, scope) => {
        const category = categoryOf(row.goalCategory)
        const consentIds = consentIdsFor(scope, 'read', ['pathway', category])
        return { value: presentStep(row), audit: [{ ...access.audit, youngPersonId: row.youngPersonId, category, consentIds, outcome: 'allowed' }] }
      })
      sendEtag(reply, view)
      return view
    },
  )

  app.patch(
    '/steps/:id',
    {
      schema: {
        tags: ['pathway'],
        summary: 'Change a step (needs If-Match; write on `pathway` and on the goal’s category)',
        params: IdParams,
        headers: s.IfMatchHeaders,
        body: s.PatchStep,
        response: responses({ 200: s.Step }, 403, 404, 412, 422, 428),
      },
    },
    async (request, reply) => {
      const versions = ifMatchVersions(request, request.params.id)
      const id = request.params.id
      const access: RecordAccess<queries.StepRow> = {
        action: 'write',
        subject: 'Step',
        audit: (row) => ({ action: 'update', resourceType: 'Step', resourceId: row?.id ?? id, ...(row ? { category: categoryOf(row.goalCategory) } : {}) }),
      }
      const view = await withRecord(db, request, (tx) => queries.findStep(tx, id), access, async ({ tx, scope }, row) => {
        await checkOwner(tx, row.youngPersonId, request.body.ownerProfessionalId)
        const updated = await queries.updateStep(tx, row.id, request.body, versions)
        if (!updated) throw new PreconditionFailedError()
        const event = { action: 'update', resourceType: 'Step' as const, resourceId: row.id, youngPersonId: row.youngPersonId, category: row.goalCategory }
        return { value: presentStep(updated), audit: [writeEvent(scope, event, 'allowed')] }
      })
      sendEtag(reply, view)
      return view
    },
  )
}
