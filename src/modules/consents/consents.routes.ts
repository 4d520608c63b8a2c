// Consent routes: grant, list, read, revoke; consent requests and the young person's decision on them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { and } from 'drizzle-orm'
import { Type } from 'typebox'
import { abilityFor, accessibleWhere, doorway, mayStillRead, throughDoor, withList, withYoungPersonRead } from '../../authz/index.js'
import { ForbiddenError, NotFoundError } from '../../errors.js'
import { IdempotencyHeaders, idempotentCreate } from '../../http/idempotency.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { IdParams, OrIdsAndStatus, responses } from '../../http/schemas.js'
import { decideConsentRequest, grantOrReplaceConsent, readConsent, revokeConsent } from './consent-actions.js'
import * as queries from '../../authz/data/consents.queries.js'
import * as s from './consents.schemas.js'
import { checkGrantee, consentReceipt, presentConsent, presentRequest } from './consents.service.js'

const DAY_MS = 24 * 3600 * 1000
const byCreation = (row: { createdAt: Date; id: string }) => ({ at: row.createdAt, id: row.id })

const YoungPersonParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'The young person' }) }, { additionalProperties: false })

export const consentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  app.post(
    '/young-persons/:id/consents',
    {
      schema: {
        tags: ['consent'],
        summary: 'Grant consent: digitally by the young person, or recorded in person by a professional who holds consent',
        description:
          'A professional records a consent given in person for someone else: never for themselves, their agency or their role (403, audited). To widen their own access they send a consent request.',
        params: YoungPersonParams,
        headers: IdempotencyHeaders,
        body: s.GrantConsent,
        response: responses({ 201: OrIdsAndStatus(s.ConsentWithReceipt) }, 403, 404, 409, 422),
      },
    },
    async (request, reply) => {
      const youngPersonId = request.params.id
      let refusal: string | undefined
      const granted = await idempotentCreate(
        request,
        reply,
        201,
        async (tx) => {
          const result = await grantOrReplaceConsent(doorway(tx, request), youngPersonId, request.body)
          if (result && 'refused' in result) refusal = result.refused
          return result && 'refused' in result ? null : result
        },
        async (tx, stored) => mayStillRead(tx, request.principal, 'Consent', await queries.findConsent(tx, stored.id)),
      )
      if (refusal !== undefined) throw new ForbiddenError(refusal)
      if (!granted) throw new NotFoundError()
      return reply.send(granted)
    },
  )

  app.get(
    '/young-persons/:id/consents',
    {
      schema: {
        tags: ['consent'],
        summary: 'The consents for this young person that the caller holds (the young person: all of them)',
        params: YoungPersonParams,
        querystring: s.ListQuery,
        response: responses({ 200: s.ConsentList }, 404),
      },
      config: { principalInStatement: true },
    },
    async function listConsentsOf(request, reply) {
      const youngPersonId = request.params.id
      const page = pageRequest(request.query)
      const audit = { action: 'list', resourceType: 'Consent', resourceId: youngPersonId }
      const rows = await withYoungPersonRead(db, request, youngPersonId, { action: 'read', subject: 'YoungPerson', audit }, async ({ tx, ability, principal }) => ({
        value: await queries.listConsents(tx, and(queries.consentsOf(youngPersonId), accessibleWhere(ability, principal, 'read', 'Consent')), page),
        audit: (scope) => [{ action: 'list', resourceType: 'Consent', youngPersonId, consentIds: scope.consents.map((c) => c.id), outcome: 'allowed' }],
      }))
      return toPage(request, reply, page, rows, byCreation, presentConsent)
    },
  )

  app.get(
    '/consents/:id',
    {
      schema: {
        tags: ['consent'],
        summary: 'One consent with its receipt, for the young person or a holder',
        params: IdParams,
        response: responses({ 200: s.ConsentWithReceipt }, 404),
      },
    },
    async (request) => {
      const row = await throughDoor(db, request, (door) => readConsent(door, request.params.id))
      if (!row) throw new NotFoundError()
      return { ...presentConsent(row), receipt: consentReceipt(row) }
    },
  )

  app.post(
    '/consents/:id/revoke',
    {
      // The withdrawal's one statement re-checks the caller's account, so the principal needs no round trip of its own.
      config: { principalInStatement: true },
      schema: {
        tags: ['consent'],
        summary: 'Withdraw consent; effective on the very next request',
        params: IdParams,
        body: Type.Optional(s.RevokeConsent),
        response: responses({ 200: Type.Union([s.Consent, s.WithdrawnConsent]) }, 404, 409),
      },
    },
    async (request) => {
      const revoked = await revokeConsent(db, request, request.params.id)
      // A consent the caller may not read (or no longer may) answers with ids and status only.
      const { consent } = revoked
      return revoked.callerMayRead ? presentConsent(consent) : { id: consent.id, status: 'revoked' as const, revokedAt: consent.revokedAt! }
    },
  )

  app.post(
    '/young-persons/:id/consent-requests',
    {
      schema: {
        tags: ['consent'],
        summary: 'Ask the young person for consent; they approve or decline it',
        params: YoungPersonParams,
        headers: IdempotencyHeaders,
        body: s.RequestConsent,
        response: responses({ 201: s.ConsentRequest }, 404, 422),
      },
    },
    async (request, reply) => {
      const principal = request.principal
      const youngPersonId = request.params.id
      // Entered as a read: whoever may not ask gets the same 404 as for a young person they cannot see.
      const access = { action: 'read', subject: 'YoungPerson', audit: { action: 'request', resourceType: 'ConsentRequest', resourceId: null } } as const
      const created = await idempotentCreate(request, reply, 201, async (tx) => {
        const outcome = await doorway(tx, request).youngPerson(youngPersonId, access, async ({ tx, scope }) => {
          // Only professionals are given the rule; their id is the asker's.
          if (principal.kind !== 'professional' || !scope.can('create', 'ConsentRequest', { youngPersonId })) return 'not_found'
          await checkGrantee(tx, request.body.grantee)
          const row = await queries.insertConsentRequest(tx, {
            ...request.body,
            youngPersonId,
            requestedByProfessionalId: principal.professionalId,
            expiresAt: new Date(Date.now() + app.config.consentRequestTtlDays * DAY_MS),
          })
          const event = { ...access.audit, resourceId: row.id, youngPersonId, consentIds: scope.consents.map((c) => c.id), outcome: 'allowed' as const }
          return { value: presentRequest(row), audit: [event] }
        })
        return 'value' in outcome ? outcome.value : null
      })
      if (!created) throw new NotFoundError()
      return reply.send(created)
    },
  )

  app.get(
    '/consent-requests',
    {
      schema: {
        tags: ['consent'],
        summary: 'Consent requests: those the professional asked, or those asked of the young person',
        querystring: s.ListQuery,
        response: responses({ 200: s.ConsentRequestList }),
      },
      config: { principalInStatement: true },
    },
    async (request, reply) => {
      const page = pageRequest(request.query)
      const rows = await withList(
        db,
        request,
        (tx, principal) => queries.listConsentRequests(tx, accessibleWhere(abilityFor(principal), principal, 'read', 'ConsentRequest'), page),
        (rows) => rows.slice(0, page.limit).map((r) => ({ action: 'list', resourceType: 'ConsentRequest', resourceId: r.id, youngPersonId: r.youngPersonId, outcome: 'allowed' as const })),
      )
      return toPage(request, reply, page, rows, byCreation, presentRequest)
    },
  )

  for (const decision of ['approve', 'decline'] as const) {
    app.post(
      `/consent-requests/:id/${decision}`,
      {
        schema: {
          tags: ['consent'],
          summary: decision === 'approve' ? 'Approve a consent request: the consent is created now' : 'Decline a consent request',
          params: IdParams,
          body: Type.Optional(s.ApproveRequest),
          response: responses({ 200: s.ConsentRequest }, 404, 409, 422),
        },
      },
      async (request) => {
        const decided = await throughDoor(db, request, (door) => decideConsentRequest(door, request.params.id, decision, request.body?.validUntil))
        if (!decided) throw new NotFoundError()
        return presentRequest(decided)
      },
    )
  }
}

