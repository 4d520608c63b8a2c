// Note routes: write a note (or a correction) in a category the caller may write; list those they may read.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { accessibleWhere, enterDoor, mayStillRead, type PersonScope, withYoungPersonRead } from '../../authz/index.js'
import { UnprocessableError } from '../../errors.js'
import { IdempotencyHeaders, idempotentCreate } from '../../http/idempotency.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { OrIdsAndStatus, responses } from '../../http/schemas.js'
import type { AuditInput } from '../audit/audit.writer.js'
import { consentIdsFor, type Denial, denialFor, refuse } from './access.js'
import { presentNote } from './notes.presenters.js'
import * as queries from '../../authz/data/notes.queries.js'
import * as s from './notes.schemas.js'
import { YoungPersonParams } from './pathway.schemas.js'

export const noteRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  app.post(
    '/young-persons/:id/notes',
    {
      schema: {
        tags: ['pathway'],
        summary: 'Write a note in a category your consent gives write for (404 without any consent, 403 without write on that category)',
        params: YoungPersonParams,
        headers: IdempotencyHeaders,
        body: s.CreateNote,
        response: responses({ 201: OrIdsAndStatus(s.Note) }, 403, 404, 422),
      },
    },
    async (request, reply) => {
      const principal = request.principal
      const youngPersonId = request.params.id
      const { category, body, corrects } = request.body
      let denial: Denial | undefined
      const access = { action: 'write', subject: 'Note', row: { youngPersonId, category }, audit: { action: 'create', resourceType: 'Note', category } } as const
      const created = await idempotentCreate(request, reply, 201, async (tx) => {
        const outcome = await enterDoor(tx, request, youngPersonId, access, async ({ scope }) => {
          // Only professionals have a write rule for notes; the check names the author for the type system.
          if (principal.kind !== 'professional') return denialFor(scope, youngPersonId)
          let correctsId: string | null = null
          if (corrects !== undefined) {
            const original = await queries.findNote(tx, corrects)
            // One answer for "no such note", "another young person's" and "not yours to read".
            if (!original || original.youngPersonId !== youngPersonId || !scope.can('read', 'Note', original)) {
              throw new UnprocessableError('corrects must name a note of this young person that you can read')
            }
            // Same category, so everyone who reads the note also reads its correction.
            if (original.category !== category) throw new UnprocessableError(`A correction has the category of the note it corrects (${original.category})`)
            correctsId = original.id
          }
          const row = await queries.insertNote(tx, { youngPersonId, category, body, authorProfessionalId: principal.professionalId, correctsId })
          const consentIds = consentIdsFor(scope, 'write', [category])
          return { value: presentNote(row), audit: [{ action: correctsId ? 'correct' : 'create', resourceType: 'Note', resourceId: row.id, youngPersonId, category, consentIds, outcome: 'allowed' }] }
        })
        if ('denial' in outcome) denial = outcome.denial
        return 'value' in outcome ? outcome.value : null
      }, async (tx, stored) => mayStillRead(tx, principal, 'Note', await queries.findNote(tx, stored.id)))
      if (!created) refuse(denial)
      return created
    },
  )

  app.get(
    '/young-persons/:id/notes',
    {
      schema: {
        tags: ['pathway'],
        summary: 'Notes in the categories the caller may read, newest first; other categories are neither shown nor counted',
        params: YoungPersonParams,
        querystring: s.NoteQuery,
        response: responses({ 200: s.NoteList }, 404),
      },
      config: { principalInStatement: true },
    },
    async function listNotesOf(request, reply) {
      const youngPersonId = request.params.id
      const page = pageRequest(request.query)
      const access = { action: 'read', subject: 'YoungPerson', audit: { action: 'list', resourceType: 'Note' } } as const
      const result = await withYoungPersonRead(db, request, youngPersonId, access, async ({ tx, ability, principal }) => {
        const allowed = accessibleWhere(ability, principal, 'read', 'Note')
        const { rows, total } = await queries.listNotes(tx, youngPersonId, allowed, request.query.category, page)
        // One event per category shown, so the young person sees which were read.
        const shown = [...new Set(rows.slice(0, page.limit).map((r) => r.category))].sort()
        const audit = (scope: PersonScope): AuditInput[] =>
          shown.length > 0
            ? shown.map((category) => ({ action: 'list', resourceType: 'Note', youngPersonId, category, consentIds: consentIdsFor(scope, 'read', [category]), outcome: 'allowed' }))
            : [{ action: 'list', resourceType: 'Note', youngPersonId, category: request.query.category ?? null, outcome: 'allowed' }]
        return { value: { rows, total }, audit }
      })
      return { ...toPage(request, reply, page, result.rows, (r) => ({ at: r.createdAt, id: r.id }), presentNote), total: result.total }
    },
  )
}
