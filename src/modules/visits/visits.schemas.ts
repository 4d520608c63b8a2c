// Request and response schemas of anonymous visits, and the closed vocabularies a visit is described with.
import { Type } from 'typebox'
import { AGENCY_KINDS } from '../../db/schema/registry.js'
import { DateOnly, Uuid } from '../../http/schemas.js'

export const CHANNELS = ['walk_in', 'phone', 'chat', 'outreach', 'event', 'school_visit', 'online'] as const
export const AGE_BANDS = ['under_15', '15_17', '18_24', '25_29', 'unknown'] as const
export const TOPICS = [
  'studies',
  'courses',
  'work',
  'work_experience',
  'employer_contacts',
  'financial_issues',
  'benefits',
  'housing',
  'health',
  'wellbeing',
  'coaching',
  'voluntary_work',
  'hobbies',
  'other',
] as const
export const SERVICES = [
  'guidance',
  'coaching',
  'benefits_advice',
  'housing_advice',
  'health_check',
  'psychological_support',
  'study_guidance',
  'job_search_support',
  'referral',
  'other',
] as const

export type Channel = (typeof CHANNELS)[number]
export type AgeBand = (typeof AGE_BANDS)[number]
export type Topic = (typeof TOPICS)[number]
export type Service = (typeof SERVICES)[number]

/** At most 1,000 visits per batch: one multi-row INSERT stays well under the bind-parameter limit. */
export const MAX_BATCH = 1000

export const Channel = Type.Enum([...CHANNELS], { description: 'How the young person was met' })
export const AgeBand = Type.Enum([...AGE_BANDS], { description: 'Age band, as told or estimated; `unknown` when not asked' })
export const Topic = Type.Enum([...TOPICS], { description: 'A topic the visit was about' })
export const Service = Type.Enum([...SERVICES], { description: 'A service given during the visit' })
export const AgencyKind = Type.Enum([...AGENCY_KINDS], { description: 'A kind of agency the young person was referred or guided to' })

const visitProperties = {
  date: DateOnly('Day of the visit (YYYY-MM-DD), not later than today in Finland (Europe/Helsinki)'),
  centreId: Uuid('The centre where the visit happened'),
  channel: Channel,
  ageBand: AgeBand,
  topics: Type.Array(Topic, {
    minItems: 1,
    maxItems: TOPICS.length,
    uniqueItems: true,
    description: 'What the visit was about: at least one, each at most once',
  }),
  services: Type.Optional(
    Type.Array(Service, { maxItems: SERVICES.length, uniqueItems: true, default: [], description: 'Services given; empty when none' }),
  ),
  referredTo: Type.Optional(
    Type.Array(AgencyKind, {
      maxItems: AGENCY_KINDS.length,
      uniqueItems: true,
      default: [],
      description: 'Kinds of agency the young person was referred to; empty when none',
    }),
  ),
}

export const CreateVisit = Type.Object(visitProperties, {
  additionalProperties: false,
  description: 'One anonymous visit. Nothing else is accepted: no name, no identifier, no free text, no link to a person.',
})

export const Visit = Type.Object(
  {
    id: Uuid('Visit id'),
    date: DateOnly('Day of the visit'),
    centreId: Uuid('The centre where the visit happened'),
    channel: Channel,
    ageBand: AgeBand,
    topics: Type.Array(Topic, { description: 'What the visit was about' }),
    services: Type.Array(Service, { description: 'Services given' }),
    referredTo: Type.Array(AgencyKind, { description: 'Kinds of agency referred to' }),
  },
  { additionalProperties: false, description: 'An anonymous visit as stored: it names no person and no professional' },
)

export const CreateVisitBatch = Type.Object(
  {
    visits: Type.Array(CreateVisit, {
      minItems: 1,
      maxItems: MAX_BATCH,
      description: `Up to ${MAX_BATCH} visits, stored all together or not at all`,
    }),
  },
  { additionalProperties: false },
)

export const VisitBatchResult = Type.Object(
  { created: Type.Integer({ minimum: 1, description: 'How many visits were stored' }) },
  { additionalProperties: false },
)
