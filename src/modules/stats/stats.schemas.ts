// Request and response schemas of the anonymous statistics: protected count tables.
import { type TObject, type TSchema, Type } from 'typebox'
import { DATA_CATEGORIES } from '../../config.js'
import { AGENCY_KINDS } from '../../db/schema/registry.js'
import { GOAL_STATUSES, PATHWAY_STATUSES, REFERRAL_STATUSES } from '../../db/schema/vocabulary.js'
import { DateOnly, Month, MonthOrDay, Timestamp, Uuid } from '../../http/schemas.js'
import { AgeBand, Channel, Topic } from '../visits/visits.schemas.js'

export const VISIT_DIMENSIONS = ['topic', 'channel', 'ageBand', 'centre', 'month'] as const
export type VisitDimension = (typeof VISIT_DIMENSIONS)[number]

/** A goal's category is a data category, or none. */
export const GOAL_CATEGORIES = [...DATA_CATEGORIES, 'none'] as const

const dimensionList = VISIT_DIMENSIONS.join('|')

export const VisitStatsQuery = Type.Object(
  {
    from: MonthOrDay('First month, YYYY-MM. A real day (YYYY-MM-DD) is widened to its whole month, and `period.snapped` says so.'),
    to: MonthOrDay('Last month, YYYY-MM, inclusive; it must have ended (the running month is not published). A real day is widened to its month.'),
    groupBy: Type.Optional(
      Type.String({
        pattern: `^(${dimensionList})(,(${dimensionList}))?$`,
        maxLength: 32,
        description: 'Up to two of topic, channel, ageBand, centre, month, comma-separated; none gives the total only',
      }),
    ),
  },
  { additionalProperties: false },
)

const Count = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
  title: 'SuppressibleCount',
  description: 'How many; null when suppressed',
})
const Suppressed = Type.Boolean({
  description: 'True when the count is withheld: it is below k, or it would let a withheld count be worked out',
})

// Titles name the shared shapes in the document (one component per kind of key, not a copy per cell).
const PublishedCount = <K extends TSchema>(key: K, title: string) =>
  Type.Object({ key, count: Count, suppressed: Suppressed }, { additionalProperties: false, title })

/** A protected table over the dimensions whose key schemas are given. */
const ProtectedTable = <K extends TObject>(key: K, description: string, title: string) =>
  Type.Object(
    {
      groupBy: Type.Array(Type.String(), { description: 'The dimensions of the table, in order' }),
      multiValued: Type.Array(Type.String(), {
        description: 'Dimensions under which one record counts several times (a visit with three topics counts under each): their counts do not add up to the total',
      }),
      total: Type.Object({ count: Count, suppressed: Suppressed }, { additionalProperties: false, title: 'TableTotal', description: 'All records in the table' }),
      cells: Type.Array(PublishedCount(key, `${title}Count`), {
        description: 'One entry for every combination of values of the groupBy dimensions, zeros included (and suppressed like any count below k)',
      }),
      margins: Type.Object(
        Object.fromEntries(
          Object.keys(key.properties).map((name) => [
            name,
            Type.Optional(Type.Array(PublishedCount(key, `${title}Count`), { description: `With two dimensions: counts by ${name} alone, summed over the other` })),
          ]),
        ),
        { additionalProperties: false, title: `${title}Margins`, description: 'Row and column totals of a two-way table; empty for one dimension' },
      ),
    },
    { additionalProperties: false, title, description },
  )

const optional = (schema: TSchema) => Type.Optional(schema)

export const VisitKey = Type.Object(
  {
    topic: optional(Topic),
    channel: optional(Channel),
    ageBand: optional(AgeBand),
    centre: optional(Uuid('Centre id; names are in `centres`')),
    month: optional(Month('Month, YYYY-MM')),
  },
  { additionalProperties: false, description: 'The dimension values the count is for' },
)

export const VisitStats = Type.Object(
  {
    period: Type.Object(
      {
        from: Month('First month counted, YYYY-MM'),
        to: Month('Last month counted, YYYY-MM, inclusive'),
        firstDay: DateOnly('First day counted'),
        lastDay: DateOnly('Last day counted'),
        snapped: Type.Boolean({ description: 'True when from or to named a day and was widened to its whole month' }),
      },
      { additionalProperties: false, description: 'The whole calendar months counted' },
    ),
    k: Type.Integer({ description: 'The threshold: no count from 1 to k-1 is published, and none can be worked out from the others' }),
    ...ProtectedTable(VisitKey, '', 'VisitTable').properties,
    centres: Type.Optional(
      Type.Array(
        Type.Object(
          { id: Uuid('Centre id'), name: Type.String({ description: 'Name' }), municipality: Type.String({ description: 'Municipality' }) },
          { additionalProperties: false },
        ),
        { description: 'When grouped by centre: the centres named in the keys' },
      ),
    ),
  },
  { additionalProperties: false, description: 'Anonymous visits counted by the groupBy dimensions, small counts suppressed' },
)

export const PathwayKey = Type.Object(
  {
    status: optional(Type.String({ description: 'Status of the pathway, goal or referral' })),
    category: optional(Type.Enum([...GOAL_CATEGORIES], { description: 'Data category of the goal; `none` when it has none' })),
    agencyKind: optional(Type.Enum([...AGENCY_KINDS], { description: 'Kind of agency the referral was made to' })),
  },
  { additionalProperties: false, description: 'The dimension values the count is for' },
)

export const PathwayStats = Type.Object(
  {
    asOf: Timestamp('When the figures were counted: they describe the records as they are now'),
    k: Type.Integer({ description: 'The threshold: no count from 1 to k-1 is published, and none can be worked out from the others' }),
    pathways: ProtectedTable(PathwayKey, `Pathways by status (${PATHWAY_STATUSES.join(', ')})`, 'PathwayTable'),
    goals: ProtectedTable(PathwayKey, `Goals by category and status (${GOAL_STATUSES.join(', ')})`, 'PathwayTable'),
    referrals: ProtectedTable(PathwayKey, `Referrals by status (${REFERRAL_STATUSES.join(', ')}) and kind of receiving agency`, 'PathwayTable'),
  },
  { additionalProperties: false, description: 'Counts across all young persons; never per person' },
)
