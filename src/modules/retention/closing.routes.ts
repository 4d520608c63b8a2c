// Closing and reopening a pathway: by a professional under `pathway` write consent, or by the young person themselves.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import { withYoungPerson } from '../../authz/index.js'
import { responses } from '../../http/schemas.js'
import { ownYoungPersonId } from '../../authz/own.js'
import { denialFor } from '../pathway/access.js'
import { sendEtag } from '../pathway/etag.js'
import { Pathway, YoungPersonParams } from '../pathway/pathway.schemas.js'
import { readPathwayAllowed } from '../pathway/pathway.service.js'
import { findYoungPerson } from '../../authz/data/young-persons.queries.js'
import { type CloseReason, closePathway, reopenPathway } from './closing.service.js'
import * as s from './retention.schemas.js'

type View = Static<typeof Pathway>

export const closingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  /** Closes (with a reason) or reopens, then answers with the pathway as the caller sees it. */
  async function changeState(request: FastifyRequest, reply: FastifyReply, youngPersonId: string, change: { close: CloseReason } | 'reopen'): Promise<View> {
    const action = change === 'reopen' ? 'reopen' : 'close'
    const access = { action, subject: 'Pathway', audit: { action, resourceType: 'Pathway', category: 'pathway' } } as const
    const view = await withYoungPerson(db, request, youngPersonId, access, async ({ tx, scope }) => {
      // An erased young person's pathway neither closes nor reopens; the refusal is the door's.
      const person = await findYoungPerson(tx, youngPersonId)
      const changed =
        person?.erasedAt === null
          ? change === 'reopen'
            ? await reopenPathway(tx, request.principal, scope, youngPersonId)
            : await closePathway(tx, scope, youngPersonId, change.close)
          : null
      if (!changed) return denialFor(scope, youngPersonId)
      const { view, events } = await readPathwayAllowed(tx, request, scope, youngPersonId)
      return { value: view, audit: [changed, ...events] }
    })
    sendEtag(reply, view)
    return view
  }

  const answers = responses({ 200: Pathway }, 403, 404, 409)

  app.post(
    '/young-persons/:id/pathway/close',
    {
      schema: {
        tags: ['pathway'],
        summary: 'Close the pathway with a reason (`pathway` write consent); it becomes read-only and its retention period starts',
        params: YoungPersonParams,
        body: s.ClosePathway,
        response: answers,
      },
    },
    (request, reply) => changeState(request, reply, request.params.id, { close: request.body.reason }),
  )
  app.post(
    '/young-persons/:id/pathway/reopen',
    {
      schema: {
        tags: ['pathway'],
        summary: 'Reopen a closed pathway: needs a `pathway` write consent the young person gave after the closing',
        params: YoungPersonParams,
        body: s.ReopenPathway,
        response: answers,
      },
    },
    (request, reply) => changeState(request, reply, request.params.id, 'reopen'),
  )
  app.post(
    '/me/pathway/close',
    { schema: { tags: ['me'], summary: 'Close your pathway, with a reason', body: s.ClosePathway, response: answers } },
    (request, reply) => changeState(request, reply, ownYoungPersonId(request.principal), { close: request.body.reason }),
  )
  app.post(
    '/me/pathway/reopen',
    { schema: { tags: ['me'], summary: 'Reopen your closed pathway', body: s.ReopenPathway, response: answers } },
    (request, reply) => changeState(request, reply, ownYoungPersonId(request.principal), 'reopen'),
  )
}
