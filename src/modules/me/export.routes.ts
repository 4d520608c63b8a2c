// GET /v1/me/export: everything Polku holds about the young person, in one machine-readable document.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { and, eq } from 'drizzle-orm'
import { Type } from 'typebox'
import { accessibleWhere, scopeForYoungPerson } from '../../authz/index.js'
import { consentRequests, consents, erasureRequests, referrals } from '../../db/schema/index.js'
import type { PageRequest } from '../../http/pagination.js'
import { responses, Timestamp } from '../../http/schemas.js'
import { recordAudit } from '../audit/audit.writer.js'
import * as consentQueries from '../consents/consents.queries.js'
import { presentRequest } from '../consents/consents.routes.js'
import { Consent, ConsentRequest } from '../consents/consents.schemas.js'
import { presentConsent } from '../consents/consents.service.js'
import { listNotes } from '../pathway/notes.queries.js'
import { presentNote } from '../pathway/notes.routes.js'
import { Note } from '../pathway/notes.schemas.js'
import { Pathway } from '../pathway/pathway.schemas.js'
import { readPathway } from '../pathway/pathway.service.js'
import { listReferrals } from '../referrals/referrals.queries.js'
import { Referral } from '../referrals/referrals.schemas.js'
import { presentReferral } from '../referrals/referrals.service.js'
import { findYoungPerson } from '../young-persons/young-persons.queries.js'
import { listErasureRequests } from '../retention/erasure.service.js'
import { presentErasureRequest } from '../retention/erasure.routes.js'
import { listTombstones } from '../retention/retention.queries.js'
import { retentionOf } from '../retention/retention.presenters.js'
import { ErasureRequest, Tombstone } from '../retention/retention.schemas.js'
import { Me, ownYoungPersonId, presentMe } from './me.routes.js'

const Export = Type.Object(
  {
    exportedAt: Timestamp('When this export was made'),
    person: Me,
    consents: Type.Array(Consent, { description: 'Every consent, active or not, newest first' }),
    consentRequests: Type.Array(ConsentRequest, { description: 'Every consent request, newest first' }),
    pathway: Pathway,
    notes: Type.Array(Note, { description: 'Every note, in every category, newest first' }),
    referrals: Type.Array(Referral, { description: 'Every referral, newest first' }),
    erasureRequests: Type.Array(ErasureRequest, { description: 'Your erasure requests and their decisions, newest first' }),
    tombstones: Type.Array(Tombstone, { description: 'What is left of erased records: ids, kinds and dates, no content' }),
  },
  { additionalProperties: false, description: 'Everything held about you (GDPR art. 15 and 20)' },
)

/** All of it: one person's records are few enough to return in one document. */
const EVERYTHING: PageRequest = { limit: 100_000, after: undefined }

export const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/me/export',
    { schema: { tags: ['me'], summary: 'Everything Polku holds about you, in one document', response: responses({ 200: Export }, 403) } },
    async (request) => {
      const id = ownYoungPersonId(request.principal)
      return app.database.transaction(async (tx) => {
        const scope = await scopeForYoungPerson(tx, request.principal, id)
        const person = (await findYoungPerson(tx, id))!
        const consentRows = await consentQueries.listConsents(tx, eq(consents.youngPersonId, id), EVERYTHING)
        const requestRows = await consentQueries.listConsentRequests(tx, eq(consentRequests.youngPersonId, id), EVERYTHING)
        const { view: pathway } = await readPathway(tx, request, scope, id)
        const notes = await listNotes(tx, id, accessibleWhere(scope.ability, request.principal, 'read', 'Note'), undefined, EVERYTHING)
        const referralRows = await listReferrals(
          tx,
          and(eq(referrals.youngPersonId, id), accessibleWhere(scope.ability, request.principal, 'read', 'Referral')),
          EVERYTHING,
        )
        const erasureRows = await listErasureRequests(tx, eq(erasureRequests.youngPersonId, id), EVERYTHING)
        const tombstones = await listTombstones(tx, id)
        await recordAudit(tx, request, [{ action: 'export', resourceType: 'YoungPerson', resourceId: id, youngPersonId: id, outcome: 'allowed' }])
        // An erased record is its tombstones: the blanked rows behind them are not shown as records.
        const erased = person.erasedAt !== null
        return {
          exportedAt: new Date(),
          person: presentMe(person, (await retentionOf(tx, app.config.retention, id))!),
          consents: erased ? [] : consentRows.map(presentConsent),
          consentRequests: erased ? [] : requestRows.map(presentRequest),
          pathway: erased ? { ...pathway, goals: [] } : pathway,
          notes: notes.rows.map(presentNote),
          referrals: erased ? [] : referralRows.map(presentReferral),
          erasureRequests: erasureRows.map(presentErasureRequest),
          tombstones,
        }
      })
    },
  )
}
