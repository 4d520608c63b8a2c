// Schemas of the timeline: one flat item shape for every kind of event, fields a kind lacks are null.
import { Type } from 'typebox'
import { ListOf, Nullable, PageQuery, Timestamp, Uuid } from '../../http/schemas.js'
import { TIMELINE_TYPES } from '../../authz/data/timeline.queries.js'

export const TimelineItem = Type.Object(
  {
    type: Type.Enum([...TIMELINE_TYPES], {
      description: 'goal, step, note and referral: when it was made; consent_granted, consent_revoked, consent_expired, consent_requested: consent events',
    }),
    id: Uuid('The goal, step, note, referral, consent or consent request'),
    at: Timestamp('When it happened'),
    category: Nullable(Type.String({ description: 'The data category of the item; null for consent events' })),
    title: Nullable(Type.String({ description: 'Goal or step title' })),
    status: Nullable(Type.String({ description: 'Current status of a goal, step, referral or consent request' })),
    body: Nullable(Type.String({ maxLength: 20000, description: 'Note text; only notes of categories the caller may read are listed at all' })),
    goalId: Nullable(Uuid('The goal a step belongs to')),
    correctsId: Nullable(Uuid('The note a correction note corrects')),
    professionalId: Nullable(Uuid('Who: the note author, goal creator, step owner, referrer, consent grantee or requester')),
    agencyId: Nullable(Uuid('The receiving agency of a referral, or the agency a consent is granted or requested for')),
    role: Nullable(Type.String({ description: 'The role within that agency, if narrowed' })),
    categories: Nullable(Type.Array(Type.String(), { description: 'Categories a referral needs or a consent covers' })),
  },
  { additionalProperties: false },
)

export const Timeline = ListOf(TimelineItem, 'Timeline items, newest first')

export const TimelineQuery = Type.Object(PageQuery, { additionalProperties: false })

export const YoungPersonParams = Type.Object({ id: Uuid('The young person') }, { additionalProperties: false })
