// Pathway routes: the pathway with its goals and steps, its status and summary, the young person's own view.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import { withYoungPerson, withYoungPersonRead } from '../../authz/index.js'
import { PreconditionFailedError } from '../../errors.js'
import { responses } from '../../http/schemas.js'
import { ownYoungPersonId } from '../../authz/own.js'
import { consentIdsFor } from './access.js'
import { ifMatchVersions, sendEtag } from './etag.js'
import { goalRoutes } from './goals.routes.js'
import { noteRoutes } from './notes.routes.js'
import * as queries from '../../authz/data/pathway.queries.js'
import * as s from './pathway.schemas.js'
import { readPathway, readPathwayAllowed } from './pathway.service.js'
import { stepRoutes } from './steps.routes.js'
import { teamRoutes } from './team.routes.js'

type View = Static<typeof s.Pathway>

export const pathwayRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  await app.register(goalRoutes)
  await app.register(stepRoutes)
  await app.register(noteRoutes)
  await app.register(teamRoutes)

  /** Reads the pathway through the door, auditing the access either way; the young person reads their own. */
  async function getPathway(request: FastifyRequest, reply: FastifyReply, youngPersonId: string): Promise<View> {
    const access = { action: 'read', subject: 'Pathway', audit: { action: 'read', resourceType: 'Pathway', category: 'pathway' } } as const
    const view = await withYoungPersonRead(db, request, youngPersonId, access, async ({ tx, ability, guard }) => {
      const read = await readPathway(tx, request, ability, youngPersonId, guard)
      return read ? { value: read.view, audit: read.events } : 'not_found'
    })
    sendEtag(reply, view)
    return view
  }

  app.get(
    '/young-persons/:id/pathway',
    {
      schema: {
        tags: ['pathway'],
        summary: 'The pathway: status, summary, and the goals and steps the caller may read (ETag versions status and summary)',
        params: s.YoungPersonParams,
        response: responses({ 200: s.Pathway }, 404),
      },
      config: { principalInStatement: true },
    },
    (request, reply) => getPathway(request, reply, request.params.id),
  )

  app.get(
    '/me/pathway',
    {
      schema: {
        tags: ['me'],
        summary: 'Your whole pathway, in every category',
        response: responses({ 200: s.Pathway }, 403),
      },
    },
    (request, reply) => getPathway(request, reply, ownYoungPersonId(request.principal)),
  )

  /** Writes status and/or summary under If-Match; the first write creates the pathway record. */
  async function changePathway(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, change: { status?: View['status']; summary?: string }): Promise<View> {
    const youngPersonId = request.params.id
    const versions = ifMatchVersions(request, youngPersonId)
    const access = { action: 'write', subject: 'Pathway', audit: { action: 'update', resourceType: 'Pathway', category: 'pathway' } } as const
    const view = await withYoungPerson(db, request, youngPersonId, access, async ({ tx, scope }) => {
      const row = await queries.writePathway(tx, youngPersonId, change, versions)
      if (!row) throw new PreconditionFailedError()
      const { view, events } = await readPathwayAllowed(tx, request, scope, youngPersonId)
      return {
        value: view,
        audit: [
          { action: 'update', resourceType: 'Pathway', resourceId: row.id, youngPersonId, category: 'pathway', consentIds: consentIdsFor(scope, 'write', ['pathway']), outcome: 'allowed' as const },
          ...events,
        ],
      }
    })
    sendEtag(reply, view)
    return view
  }

  const writeSchema = <B extends typeof s.PatchPathway | typeof s.PutPathway>(body: B, summary: string) => ({
    schema: {
      tags: ['pathway'],
      summary,
      params: s.YoungPersonParams,
      headers: s.IfMatchHeaders,
      body,
      response: responses({ 200: s.Pathway }, 403, 404, 409, 412, 422, 428),
    },
  })

  app.patch(
    '/young-persons/:id/pathway',
    writeSchema(s.PatchPathway, 'Change the pathway’s status or summary (needs If-Match; `pathway` write consent)'),
    (request, reply) => changePathway(request, reply, request.body),
  )

  app.put(
    '/young-persons/:id/pathway',
    writeSchema(s.PutPathway, 'Replace the pathway’s status and summary (needs If-Match; `pathway` write consent)'),
    (request, reply) => changePathway(request, reply, request.body),
  )
}
