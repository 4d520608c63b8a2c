// Consent routes: grant, list, read, revoke; consent requests and the young person's decision on them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { and, eq } from 'drizzle-orm'
import { Type } from 'typebox'
import { abilityFor, accessibleWhere, granteeColumns, mayStillRead, refusalReason, scopeForYoungPerson, subjectOf } from '../../authz/index.js'
import { consents } from '../../db/schema/index.js'
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from '../../errors.js'
import { IdempotencyHeaders, idempotentCreate } from '../../http/idempotency.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { IdParams, OrIdsAndStatus, responses } from '../../http/schemas.js'
import { recordAudit } from '../audit/audit.writer.js'
import { announceReferral } from '../referrals/referrals.service.js'
import { enqueueConsentEvent } from '../webhooks/outbox.js'
import { findYoungPerson } from '../young-persons/young-persons.queries.js'
import * as queries from './consents.queries.js'
import * as s from './consents.schemas.js'
import { checkGrantee, consentReceipt, consentStatus, grantConsent, presentConsent, recorderAccountId } from './consents.service.js'

const DAY_MS = 24 * 3600 * 1000
const byCreation = (row: { createdAt: Date; id: string }) => ({ at: row.createdAt, id: row.id })

export function presentRequest(row: queries.ConsentRequestRow) {
  const expired = row.status === 'pending' && row.expiresAt.getTime() <= Date.now()
  return {
    id: row.id,
    youngPersonId: row.youngPersonId,
    requestedBy: { professionalId: row.requestedByProfessionalId, name: row.requestedByName },
    grantee: { professionalId: row.granteeProfessionalId, agencyId: row.granteeAgencyId, role: row.granteeRole, name: row.granteeName },
    categories: row.categories,
    actions: row.actions,
    purpose: row.purpose,
    status: expired ? ('expired' as const) : row.status,
    expiresAt: row.expiresAt,
    decidedAt: row.decidedAt,
    consentId: row.consentId,
    createdAt: row.createdAt,
  }
}

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
      const granted = await idempotentCreate(request, reply, 201, async (tx) => {
        const scope = await scopeForYoungPerson(tx, request.principal, youngPersonId)
        const person = await findYoungPerson(tx, youngPersonId)
        if (!person || !scope.can('create', 'Consent', { youngPersonId })) {
          await recordAudit(tx, request, [{ action: 'grant', resourceType: 'Consent', youngPersonId: person ? youngPersonId : null, resourceId: null, outcome: 'denied' }])
          return null
        }
        // The caller sees this young person, so saying why reveals nothing; the refusal is theirs to see in the access log.
        const consent = { youngPersonId, ...granteeColumns(request.body.grantee) }
        if (!scope.can('create', 'Consent', consent)) {
          refusal = refusalReason(scope.ability, 'create', subjectOf('Consent', consent)) ?? 'You may not record this consent'
          await recordAudit(tx, request, [{ action: 'grant', resourceType: 'Consent', youngPersonId, resourceId: null, consentIds: scope.consents.map((c) => c.id), outcome: 'denied' }])
          return null
        }
        let replaced: Awaited<ReturnType<typeof queries.lockConsent>>
        if (request.body.supersedes !== undefined) {
          replaced = await queries.lockConsent(tx, request.body.supersedes)
          if (!replaced || replaced.youngPersonId !== youngPersonId) throw new UnprocessableError('supersedes does not name a consent of this young person')
          if (consentStatus(replaced) !== 'active') throw new ConflictError('Only an active consent can be replaced')
        }
        const row = await grantConsent(tx, request, youngPersonId, request.body)
        if (replaced) {
          await queries.markSuperseded(tx, replaced.id, row.id)
          await enqueueConsentEvent(tx, 'consent.revoked', replaced.id, { reason: 'superseded', supersededById: row.id })
        }
        await enqueueConsentEvent(tx, 'consent.granted', row.id)
        await recordAudit(tx, request, [
          { action: 'grant', resourceType: 'Consent', resourceId: row.id, youngPersonId, consentIds: [row.id], outcome: 'allowed' },
        ])
        return { ...presentConsent(row), receipt: consentReceipt(row) }
      }, async (tx, stored) => mayStillRead(tx, request.principal, 'Consent', await queries.findConsent(tx, stored.id)))
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
    },
    async (request, reply) => {
      const youngPersonId = request.params.id
      const page = pageRequest(request.query)
      const rows = await db.transaction(async (tx) => {
        const scope = await scopeForYoungPerson(tx, request.principal, youngPersonId)
        if (!scope.can('read', 'YoungPerson', { id: youngPersonId })) {
          await recordAudit(tx, request, [{ action: 'list', resourceType: 'Consent', youngPersonId: null, resourceId: youngPersonId, outcome: 'denied' }])
          return null
        }
        const where = and(eq(consents.youngPersonId, youngPersonId), accessibleWhere(scope.ability, request.principal, 'read', 'Consent'))
        const rows = await queries.listConsents(tx, where, page)
        await recordAudit(tx, request, [{ action: 'list', resourceType: 'Consent', youngPersonId, consentIds: scope.consents.map((c) => c.id), outcome: 'allowed' }])
        return rows
      })
      if (!rows) throw new NotFoundError()
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
      const row = await db.transaction(async (tx) => {
        const row = await queries.findConsent(tx, request.params.id)
        const scope = row ? await scopeForYoungPerson(tx, request.principal, row.youngPersonId) : undefined
        const allowed = row !== undefined && scope!.can('read', 'Consent', row)
        await recordAudit(tx, request, [
          { action: 'read', resourceType: 'Consent', resourceId: request.params.id, youngPersonId: row?.youngPersonId ?? null, consentIds: allowed ? [row.id] : [], outcome: allowed ? 'allowed' : 'denied' },
        ])
        return allowed ? row : null
      })
      if (!row) throw new NotFoundError()
      return { ...presentConsent(row), receipt: consentReceipt(row) }
    },
  )

  app.post(
    '/consents/:id/revoke',
    {
      schema: {
        tags: ['consent'],
        summary: 'Withdraw consent; effective on the very next request',
        params: IdParams,
        body: Type.Optional(s.RevokeConsent),
        response: responses({ 200: Type.Union([s.Consent, s.WithdrawnConsent]) }, 404, 409),
      },
    },
    async (request) => {
      const principal = request.principal
      const revoked = await db.transaction(async (tx) => {
        // FOR UPDATE waits for requests reading under this consent (FOR SHARE) to finish.
        const locked = await queries.lockConsent(tx, request.params.id)
        const scope = locked ? await scopeForYoungPerson(tx, principal, locked.youngPersonId) : undefined
        if (!locked || !scope?.can('revoke', 'Consent', locked)) {
          await recordAudit(tx, request, [{ action: 'revoke', resourceType: 'Consent', resourceId: request.params.id, youngPersonId: locked?.youngPersonId ?? null, outcome: 'denied' }])
          return null
        }
        if (consentStatus(locked) !== 'active') throw new ConflictError(`This consent is already ${consentStatus(locked)}`)
        await queries.markRevoked(tx, locked.id, recorderAccountId(principal))
        await enqueueConsentEvent(tx, 'consent.revoked', locked.id, { reason: 'revoked' })
        await recordAudit(tx, request, [
          { action: 'revoke', resourceType: 'Consent', resourceId: locked.id, youngPersonId: locked.youngPersonId, consentIds: [locked.id], outcome: 'allowed' },
        ])
        const row = (await queries.findConsent(tx, locked.id))!
        // Read as the caller may now: a consent they could not read (or no longer can) answers with ids and status only.
        const after = await scopeForYoungPerson(tx, principal, locked.youngPersonId)
        return after.can('read', 'Consent', row) ? presentConsent(row) : { id: row.id, status: 'revoked' as const, revokedAt: row.revokedAt! }
      })
      if (!revoked) throw new NotFoundError()
      return revoked
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
      const created = await idempotentCreate(request, reply, 201, async (tx) => {
        const scope = await scopeForYoungPerson(tx, principal, youngPersonId)
        if (principal.kind !== 'professional' || !scope.can('create', 'ConsentRequest', { youngPersonId })) {
          const person = await findYoungPerson(tx, youngPersonId)
          await recordAudit(tx, request, [{ action: 'request', resourceType: 'ConsentRequest', youngPersonId: person ? youngPersonId : null, resourceId: null, outcome: 'denied' }])
          return null
        }
        await checkGrantee(tx, request.body.grantee)
        const row = await queries.insertConsentRequest(tx, {
          ...request.body,
          youngPersonId,
          requestedByProfessionalId: principal.professionalId,
          expiresAt: new Date(Date.now() + app.config.consentRequestTtlDays * DAY_MS),
        })
        await recordAudit(tx, request, [{ action: 'request', resourceType: 'ConsentRequest', resourceId: row.id, youngPersonId, consentIds: scope.consents.map((c) => c.id), outcome: 'allowed' }])
        return presentRequest(row)
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
    },
    async (request, reply) => {
      const page = pageRequest(request.query)
      const where = accessibleWhere(abilityFor(request.principal), request.principal, 'read', 'ConsentRequest')
      const rows = await db.transaction((tx) => queries.listConsentRequests(tx, where, page))
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
        const decided = await db.transaction(async (tx) => {
          const row = await queries.findConsentRequest(tx, request.params.id, true)
          if (!row || !abilityFor(request.principal).can('approve', subjectOf('ConsentRequest', row))) {
            await recordAudit(tx, request, [{ action: decision, resourceType: 'ConsentRequest', resourceId: request.params.id, youngPersonId: row?.youngPersonId ?? null, outcome: 'denied' }])
            return null
          }
          const current = presentRequest(row)
          if (current.status !== 'pending') throw new ConflictError(`This request is already ${current.status}`)
          let consentId: string | null = null
          if (decision === 'approve') {
            const grantee = row.granteeProfessionalId
              ? { professionalId: row.granteeProfessionalId }
              : { agencyId: row.granteeAgencyId!, ...(row.granteeRole ? { role: row.granteeRole } : {}) }
            const consent = await grantConsent(tx, request, row.youngPersonId, {
              grantee,
              categories: row.categories,
              actions: row.actions,
              purpose: row.purpose,
              validUntil: request.body?.validUntil,
            })
            consentId = consent.id
            await enqueueConsentEvent(tx, 'consent.granted', consent.id)
            for (const released of await queries.releaseReferralsAwaiting(tx, row.id)) await announceReferral(tx, 'referral.created', released.id)
          }
          await queries.decideConsentRequest(tx, row.id, decision === 'approve' ? 'approved' : 'declined', consentId)
          await recordAudit(tx, request, [
            { action: decision, resourceType: 'ConsentRequest', resourceId: row.id, youngPersonId: row.youngPersonId, consentIds: consentId ? [consentId] : [], outcome: 'allowed' },
          ])
          return (await queries.findConsentRequest(tx, row.id))!
        })
        if (!decided) throw new NotFoundError()
        return presentRequest(decided)
      },
    )
  }
}

