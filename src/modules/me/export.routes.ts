// GET /v1/me/export: everything Polku holds about the young person, in one machine-readable document.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { responses, Timestamp } from '../../http/schemas.js'
import { AccessLogItem } from '../audit/audit.schemas.js'
import { Consent, ConsentRequest } from '../consents/consents.schemas.js'
import { Note } from '../pathway/notes.schemas.js'
import { Pathway } from '../pathway/pathway.schemas.js'
import { Referral } from '../referrals/referrals.schemas.js'
import { ErasureRequest, Tombstone } from '../retention/retention.schemas.js'
import { ReviewItem } from '../review-items/review-items.schemas.js'
import { exportOwnData } from './export.service.js'
import { ownYoungPerson } from '../../authz/own.js'
import { Me } from './me.presenters.js'

const Export = Type.Object(
  {
    exportedAt: Timestamp('When this export was made'),
    person: Me,
    consents: Type.Array(Consent, { description: 'Every consent, active or not, newest first' }),
    consentRequests: Type.Array(ConsentRequest, { description: 'Every consent request, newest first' }),
    pathway: Pathway,
    notes: Type.Array(Note, { description: 'Every note, in every category, newest first' }),
    referrals: Type.Array(Referral, { description: 'Every referral, newest first' }),
    accessLog: Type.Array(AccessLogItem, { description: 'Who accessed or tried to access your data, newest first' }),
    reviewItems: Type.Array(ReviewItem, { description: 'Your questions about accesses, with their answers' }),
    erasureRequests: Type.Array(ErasureRequest, { description: 'Your erasure requests and their decisions, newest first' }),
    tombstones: Type.Array(Tombstone, { description: 'What is left of erased records: ids, kinds and dates, no content' }),
  },
  { additionalProperties: false, title: 'Export', description: 'Everything held about you (GDPR art. 15 and 20)' },
)

export const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/me/export',
    { schema: { tags: ['me'], summary: 'Everything Polku holds about you, in one document', response: responses({ 200: Export }, 403) } },
    function exportMyData(request) {
      return exportOwnData(app.database, request, ownYoungPerson(request.principal), app.config.accessLogShowsNames)
    },
  )
}
