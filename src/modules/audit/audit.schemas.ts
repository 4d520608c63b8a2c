// Schemas of the audit routes and the young person's access log: event metadata only, never content.
import { Type } from 'typebox'
import { ListOf, Nullable, PageQuery, Timestamp, Uuid } from '../../http/schemas.js'

const Sha256 = (description: string) =>
  Type.String({ pattern: '^[0-9a-f]{64}$', maxLength: 64, examples: ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'], description })
const ChainName = Type.String({ minLength: 1, maxLength: 64, description: "The chain: the young person's id, or `system` for events about no one" })
const Outcome = Type.Union([Type.Literal('allowed'), Type.Literal('denied')], {
  description: '`allowed`, or `denied` for an attempt that was refused',
})

export const ChainHead = Type.Object(
  {
    chain: ChainName,
    seq: Type.Integer({ minimum: 1, description: 'Position of the newest event in the chain' }),
    hash: Sha256('Hash of the newest event, hex'),
    eventId: Nullable(Uuid('Id of the newest event; null when that event is missing')),
  },
  { additionalProperties: false },
)

export const HeadSnapshot = Type.Object(
  {
    digest: Sha256('SHA-256 over "chain TAB seq TAB hash LF" of every head sorted by chain; store it outside Polku'),
    chains: Type.Integer({ minimum: 0, description: 'How many chains there are' }),
    heads: Type.Array(ChainHead, { description: 'Every chain head, sorted by chain' }),
    createdAt: Timestamp('When the snapshot was taken'),
  },
  { additionalProperties: false, description: 'A snapshot of every chain head, to store outside Polku and verify against later' },
)

const BreakReason = Type.Union(
  [
    Type.Literal('hash_mismatch'),
    Type.Literal('sequence_gap'),
    Type.Literal('missing_event'),
    Type.Literal('head_mismatch'),
    Type.Literal('missing_against_saved_head'),
    Type.Literal('saved_head_mismatch'),
  ],
  { description: 'Why the link is broken' },
)

export const VerifyResult = Type.Object(
  {
    ok: Type.Boolean({ description: 'True when every chain is intact (and matches the saved heads, if given)' }),
    chainsChecked: Type.Integer({ description: 'Chains walked before the result was known' }),
    eventsChecked: Type.Integer({ description: 'Events whose hash was recomputed and matched' }),
    savedHeadsChecked: Nullable(Type.Integer({ description: 'Saved heads confirmed; null when none were given' })),
    firstBroken: Nullable(
      Type.Object(
        {
          chain: Type.String({ description: 'The chain that is broken' }),
          seq: Type.Integer({ description: 'Position of the first bad or missing event' }),
          eventId: Nullable(Uuid('The first bad event; null when it is missing')),
          reason: BreakReason,
          detail: Type.String({ description: 'What was found, for a person to read' }),
        },
        { additionalProperties: false, description: 'The first broken link, in chain order' },
      ),
    ),
    verifiedAt: Timestamp('When the verification finished'),
  },
  { additionalProperties: false },
)

/** More heads than this do not fit in a 1 MiB body anyway (about 150 bytes each). */
const MAX_SAVED_HEADS = 10_000

export const SavedHead = Type.Object(
  {
    digest: Sha256('The digest returned with the heads'),
    chains: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SAVED_HEADS, description: 'How many chains the snapshot held' })),
    heads: Type.Array(
      Type.Object(
        {
          chain: ChainName,
          seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Position of the newest event when the snapshot was taken' }),
          hash: Sha256('Hash of that event, hex'),
          eventId: Type.Optional(Nullable(Uuid('Id of that event'))),
        },
        { additionalProperties: false },
      ),
      { maxItems: MAX_SAVED_HEADS, description: 'The heads as returned by GET /v1/audit/head' },
    ),
    createdAt: Type.Optional(Type.String({ maxLength: 40, description: 'When the snapshot was taken' })),
  },
  { additionalProperties: false, description: 'A snapshot saved earlier from GET /v1/audit/head, unchanged' },
)

export const AuditEventItem = Type.Object(
  {
    id: Uuid('The event id'),
    chain: Type.String({ description: 'The chain the event belongs to' }),
    seq: Type.Integer({ description: 'Position in the chain' }),
    occurredAt: Timestamp('When the access happened'),
    actorAccountId: Nullable(Uuid('Account (or partner client) that acted; null when anonymous')),
    actorKind: Type.String({ description: 'professional, partner, young_person, admin, auditor or anonymous' }),
    actorRole: Nullable(Type.String({ description: "The professional's role" })),
    actorAgencyId: Nullable(Uuid("The actor's agency")),
    actorName: Nullable(Type.String({ description: "The professional's display name or the partner client id" })),
    action: Type.String({ description: 'What was done, e.g. read, create, revoke' }),
    resourceType: Type.String({ description: 'Kind of record, e.g. Note, Consent' }),
    resourceId: Nullable(Type.String({ description: 'Id of the record' })),
    youngPersonId: Nullable(Uuid('The young person the record belongs to')),
    category: Nullable(Type.String({ description: 'Data category of the record' })),
    consentIds: Type.Array(Uuid('A consent id'), { description: 'Consents the access relied on' }),
    outcome: Outcome,
    requestId: Nullable(Type.String({ description: 'The request id (X-Request-Id)' })),
    hash: Sha256('The chain hash of this event'),
  },
  { additionalProperties: false, description: 'An audit event: metadata only' },
)
export const AuditEventList = ListOf(AuditEventItem, 'Events, newest first')

export const AuditEventQuery = Type.Object(
  {
    ...PageQuery,
    actorAccountId: Type.Optional(Uuid('Only events by this account (or partner client)')),
    youngPersonId: Type.Optional(Uuid('Only events about this young person')),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Only events at or after this time' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Only events before this time' })),
  },
  { additionalProperties: false },
)

export const AccessLogItem = Type.Object(
  {
    id: Uuid('The event id'),
    occurredAt: Timestamp('When it happened'),
    actor: Type.Object(
      {
        kind: Type.String({ description: 'professional, partner (another system), auditor, admin or anonymous' }),
        role: Nullable(Type.String({ description: "The professional's role, e.g. nurse" })),
        agencyName: Nullable(Type.String({ description: 'The agency they work for' })),
        name: Nullable(Type.String({ description: 'Their name (or the system name); null when the service does not show names' })),
      },
      { additionalProperties: false, description: 'Who accessed, or tried to access, your data' },
    ),
    action: Type.String({ description: 'What they did, e.g. read, create' }),
    category: Nullable(Type.String({ description: 'Which kind of your data, e.g. health' })),
    resourceType: Type.String({ description: 'Which kind of record, e.g. Note' }),
    consentIds: Type.Array(Uuid('A consent id'), { description: 'The consents of yours the access relied on' }),
    outcome: Outcome,
  },
  { additionalProperties: false, description: 'One access to your data' },
)
export const AccessLog = ListOf(AccessLogItem, 'Accesses to your data by others, newest first')
export const AccessLogQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })
