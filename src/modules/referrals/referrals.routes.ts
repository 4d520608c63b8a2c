// Referral routes: refer a young person to an agency, list and read referrals, and decide on them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { and } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import type { TSchema } from 'typebox'
import { abilityFor, accessibleWhere, actingProfessional, enterDoor, ensureCan, mayStillRead, type RecordAccess, receiverHasConsent, withList, withRecord, withRecordRead } from '../../authz/index.js'
import type { Tx } from '../../db/client.js'
import { NotFoundError, UnprocessableError } from '../../errors.js'
import { IdempotencyHeaders, idempotentCreate } from '../../http/idempotency.js'
import { pageRequest, toPage } from '../../http/pagination.js'
import { IdParams, OrIdsAndStatus, responses } from '../../http/schemas.js'
import { insertConsentRequest } from '../../authz/data/consents.queries.js'
import * as queries from '../../authz/data/referrals.queries.js'
import * as s from './referrals.schemas.js'
import { announceReferral, presentReferral, type ReferralDecision, referralPurpose, TRANSITIONS, transitionConflict } from './referrals.service.js'

const DAY_MS = 24 * 3600 * 1000
const byCreation = (row: { createdAt: Date; id: string }) => ({ at: row.createdAt, id: row.id })

const DECISIONS: Record<ReferralDecision, { summary: string; body: TSchema }> = {
  accept: { summary: 'Accept a pending referral (the receiving side); the body may be left out', body: s.NoBody },
  decline: { summary: 'Decline a pending referral with a reason (the receiving side)', body: s.DeclineReferral },
  complete: { summary: 'Complete an accepted referral, reporting the outcome back (the receiving side)', body: s.CompleteReferral },
  withdraw: { summary: 'Withdraw a referral that is still open (the referrer); the body may be left out', body: s.NoBody },
}

/** A POST without a body is the same as `{}`: the schema still refuses any field. */
const missingBodyIsEmpty = async (request: FastifyRequest) => {
  request.body ??= {}
}


export const referralRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.database

  app.post(
    '/referrals',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Refer a young person to an agency; waits for their consent when the receiver has none yet',
        description:
          'The young person is named in the body because a referral is its own resource; the referrer must hold pathway write consent for them, otherwise the answer is 404.',
        headers: IdempotencyHeaders,
        body: s.CreateReferral,
        response: responses({ 201: OrIdsAndStatus(s.Referral) }, 403, 404, 409, 422),
      },
    },
    async (request, reply) => {
      ensureCan(request.principal, 'create', 'Referral')
      const principal = actingProfessional(request.principal)
      const body = request.body
      const access = { action: 'create', subject: 'Referral', audit: { action: 'create', resourceType: 'Referral', resourceId: null } } as const
      const created = await idempotentCreate(request, reply, 201, async (tx) => {
        const outcome = await enterDoor(tx, request, body.youngPersonId, access, async ({ scope }) => {
          const agencyName = await queries.agencyName(tx, body.toAgencyId)
          if (agencyName === undefined) throw new UnprocessableError('toAgencyId does not name an agency')
          const toRole = body.toRole ?? null
          // The receiver reads the referral as pathway data, and only with consent for every category it is about.
          const needed = [...new Set(['pathway', ...body.categories])].sort()
          const consented = await receiverHasConsent(tx, body.youngPersonId, body.toAgencyId, toRole, needed)
          const consentRequest = consented
            ? undefined
            : await insertConsentRequest(tx, {
                youngPersonId: body.youngPersonId,
                requestedByProfessionalId: principal.professionalId,
                grantee: { agencyId: body.toAgencyId, ...(toRole ? { role: toRole } : {}) },
                categories: needed,
                actions: ['read'],
                purpose: referralPurpose(agencyName, toRole, body.reason),
                expiresAt: new Date(Date.now() + app.config.consentRequestTtlDays * DAY_MS),
              })
          const row = await queries.insertReferral(tx, {
            youngPersonId: body.youngPersonId,
            fromProfessionalId: principal.professionalId,
            toAgencyId: body.toAgencyId,
            toRole,
            reason: body.reason,
            categories: body.categories,
            status: consentRequest ? 'awaiting_consent' : 'pending',
            consentRequestId: consentRequest?.id ?? null,
            expiresAt: new Date(Date.now() + app.config.referralTtlDays * DAY_MS),
          })
          await announceReferral(tx, 'referral.created', row.id)
          const consentIds = scope.consents.map((c) => c.id)
          const audit = [
            { action: 'create', resourceType: 'Referral', resourceId: row.id, youngPersonId: row.youngPersonId, category: 'pathway', consentIds, outcome: 'allowed' as const },
            ...(consentRequest
              ? [{ action: 'request', resourceType: 'ConsentRequest', resourceId: consentRequest.id, youngPersonId: row.youngPersonId, consentIds, outcome: 'allowed' as const }]
              : []),
          ]
          return { value: presentReferral(row), audit }
        })
        // A refusal is 404 whoever asks: the referrer names the young person in the body.
        return 'value' in outcome ? outcome.value : null
      }, async (tx, stored) => mayStillRead(tx, principal, 'Referral', await queries.findReferral(tx, stored.id)))
      if (!created) throw new NotFoundError()
      return reply.send(created)
    },
  )

  app.get(
    '/referrals',
    {
      schema: {
        tags: ['referrals'],
        summary: 'The referrals the caller may see: made for young persons they hold pathway consent for, or received with consent',
        querystring: s.ListQuery,
        response: responses({ 200: s.ReferralList }),
      },
      config: { principalInStatement: true },
    },
    async (request, reply) => {
      const { role, status } = request.query
      const page = pageRequest(request.query)
      const rows = await withList(
        db,
        request,
        (tx, principal) => {
          const where = and(
            accessibleWhere(abilityFor(principal), principal, 'read', 'Referral'),
            role ? queries.sideOf(principal, role) : undefined,
            status ? queries.statusIs(status) : undefined,
          )
          return queries.listReferrals(tx, where, page)
        },
        (rows) => rows.slice(0, page.limit).map((r) => ({ action: 'list', resourceType: 'Referral', resourceId: r.id, youngPersonId: r.youngPersonId, category: 'pathway', outcome: 'allowed' as const })),
      )
      return toPage(request, reply, page, rows, byCreation, presentReferral)
    },
  )

  app.get(
    '/referrals/:id',
    {
      schema: {
        tags: ['referrals'],
        summary: 'One referral',
        params: IdParams,
        response: responses({ 200: s.Referral }, 404),
      },
      config: { principalInStatement: true },
    },
    async (request) => {
      const { id } = request.params
      const access = { action: 'read', subject: 'Referral', audit: { action: 'read', resourceType: 'Referral', resourceId: id } } as const
      const referral = { id, locate: (tx: Tx) => queries.findReferral(tx, id) }
      const row = await withRecordRead(db, request, referral, access, async () => (row, scope) => ({
        value: row,
        audit: [{ ...access.audit, youngPersonId: row.youngPersonId, category: 'pathway', consentIds: scope.consents.map((c) => c.id), outcome: 'allowed' }],
      }))
      return presentReferral(row)
    },
  )

  for (const decision of Object.keys(DECISIONS) as ReferralDecision[]) {
    const transition = TRANSITIONS[decision]
    app.post(
      `/referrals/:id/${decision}`,
      {
        preValidation: missingBodyIsEmpty,
        schema: {
          tags: ['referrals'],
          summary: DECISIONS[decision].summary,
          params: IdParams,
          body: DECISIONS[decision].body,
          response: responses({ 200: OrIdsAndStatus(s.Referral) }, 403, 404, 409),
        },
      },
      async (request) => {
        const principal = request.principal
        const { id } = request.params
        const body = request.body as { reason?: string; outcome?: string }
        const access: RecordAccess<queries.ReferralRow> = {
          action: transition.ability,
          subject: 'Referral',
          audit: { action: decision, resourceType: 'Referral', resourceId: id },
          forbidden: `Only the ${transition.ability === 'withdraw' ? 'referrer' : 'receiving side'} may ${decision} this referral`,
        }
        // FOR UPDATE: two decisions on one referral run one after the other, the second sees the first.
        return withRecord(db, request, (tx) => queries.findReferral(tx, id, true), access, async ({ tx, scope }, row) => {
          const conflict = transitionConflict(decision, row.status)
          if (conflict) return { conflict }
          const updated = await queries.changeStatus(tx, row.id, {
            status: transition.to,
            ...(decision === 'decline' ? { decisionReason: body.reason } : {}),
            ...(decision === 'complete' ? { outcome: body.outcome } : {}),
            ...(decision === 'accept' || decision === 'decline' ? { decidedByProfessionalId: principal.kind === 'professional' ? principal.professionalId : null } : {}),
          })
          if (transition.event) await announceReferral(tx, transition.event, row.id)
          // Withdrawing stays possible after the referrer's consent ended; the answer then carries ids and status only.
          const value = scope.can('read', 'Referral', updated) ? presentReferral(updated) : { id: updated.id, status: updated.status }
          const event = { action: decision, resourceType: 'Referral', resourceId: row.id, youngPersonId: row.youngPersonId, category: 'pathway' }
          return { value, audit: [{ ...event, consentIds: scope.consents.map((c) => c.id), outcome: 'allowed' as const }] }
        })
      },
    )
  }
}
