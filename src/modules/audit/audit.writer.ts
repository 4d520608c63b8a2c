// The one audit writer: appends events to per-young-person hash chains in the caller's transaction.
import { createHash, randomBytes } from 'node:crypto'
import { type SQL, sql } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import type { Principal } from '../../auth/principal.js'
import type { Queryable } from '../../db/client.js'

export const GENESIS_HASH = '0'.repeat(64)
/** The chain of events that concern no young person (e.g. a denied read of an unknown id). */
export const SYSTEM_CHAIN = 'system'

export interface AuditInput {
  action: string
  resourceType: string
  resourceId?: string | null
  youngPersonId?: string | null
  category?: string | null
  consentIds?: string[]
  outcome: 'allowed' | 'denied'
}

/** The fields that are hashed, in a fixed order. */
export interface AuditEvent {
  id: string
  chain: string
  occurredAt: string
  actorAccountId: string | null
  actorKind: string
  actorRole: string | null
  actorAgencyId: string | null
  actorName: string | null
  action: string
  resourceType: string
  resourceId: string | null
  youngPersonId: string | null
  category: string | null
  consentIds: string[]
  outcome: 'allowed' | 'denied'
  requestId: string | null
}

const FIELD_ORDER: (keyof AuditEvent)[] = [
  'id',
  'chain',
  'occurredAt',
  'actorAccountId',
  'actorKind',
  'actorRole',
  'actorAgencyId',
  'actorName',
  'action',
  'resourceType',
  'resourceId',
  'youngPersonId',
  'category',
  'consentIds',
  'outcome',
  'requestId',
]

/**
 * A time-ordered event id (UUID version 7: 48 bits of Unix milliseconds, then random bits). Events are
 * appended in time order, so their ids land on the right-hand leaf of `audit_events_pkey`, which stays
 * in memory, instead of one random leaf of the whole index per event (a page read and, after each
 * checkpoint, a full page image in the WAL).
 */
export function eventId(now = Date.now()): string {
  const bytes = randomBytes(16)
  bytes.writeUIntBE(now, 0, 6)
  bytes[6] = (bytes[6]! & 0x0f) | 0x70
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** `eventId` in SQL, one per row: a random uuid whose first 48 bits are the clock's milliseconds and whose version is 7. */
const EVENT_ID_SQL = sql.raw(
  `encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid`,
)

/** The canonical form that is hashed: a JSON array of the fields in FIELD_ORDER. */
export function canonicalEvent(event: AuditEvent): string {
  return JSON.stringify(FIELD_ORDER.map((field) => event[field]))
}

export function chainHash(previousHash: string, event: AuditEvent): string {
  return createHash('sha256').update(previousHash + canonicalEvent(event), 'utf8').digest('hex')
}

/** Who writes an event: a request (its principal and id), or one of Polku's own background jobs. */
export type AuditSource = Pick<FastifyRequest, 'principal' | 'id'> | { system: string; id: string }

function actorOf(principal: Principal | null) {
  if (principal === null) return { actorAccountId: null, actorKind: 'anonymous', actorRole: null, actorAgencyId: null, actorName: null }
  switch (principal.kind) {
    case 'professional':
      return {
        actorAccountId: principal.accountId,
        actorKind: 'professional',
        actorRole: principal.role,
        actorAgencyId: principal.agencyId,
        actorName: principal.displayName,
      }
    case 'partner':
      return { actorAccountId: principal.partnerClientId, actorKind: 'partner', actorRole: null, actorAgencyId: principal.agencyId, actorName: principal.clientId }
    default:
      return { actorAccountId: principal.accountId, actorKind: principal.kind, actorRole: null, actorAgencyId: null, actorName: null }
  }
}

function actorOfSource(source: AuditSource) {
  if ('system' in source) return { actorAccountId: null, actorKind: 'system', actorRole: null, actorAgencyId: null, actorName: source.system }
  return actorOf(source.principal ?? null)
}

/** What only one event has: its id and time, and the request it belongs to. */
export interface EventStamp {
  id: string
  occurredAt: string
  requestId: string
}

export function eventStamp(request: AuditSource, occurredAt = new Date()): EventStamp {
  return { id: eventId(occurredAt.getTime()), occurredAt: occurredAt.toISOString(), requestId: String(request.id) }
}

/** An `EventStamp` as SQL: the request's own values, or placeholders of a statement rendered once for many requests. */
export type EventStampSql = { [K in keyof EventStamp]: SQL }

/** A stamp's values as the statement's parameters. */
export function stampSql(stamp: Pick<AuditEvent, 'id' | 'occurredAt' | 'requestId'>): EventStampSql {
  return { id: sql`${stamp.id}`, occurredAt: sql`${stamp.occurredAt}`, requestId: sql`${stamp.requestId}` }
}

/** The stamp of a statement rendered once, filled per request with `stampValues`. */
export const STAMP_PLACEHOLDERS: EventStampSql = {
  id: sql`${sql.placeholder('eventId')}`,
  occurredAt: sql`${sql.placeholder('occurredAt')}`,
  requestId: sql`${sql.placeholder('requestId')}`,
}

export function stampValues(stamp: EventStamp): Record<string, string> {
  return { eventId: stamp.id, occurredAt: stamp.occurredAt, requestId: stamp.requestId }
}

export function auditEvent(request: AuditSource, input: AuditInput, occurredAt = new Date()): AuditEvent {
  // The database stores uuids in lower case; hashing another spelling would make the event unverifiable.
  const youngPersonId = input.youngPersonId?.toLowerCase() ?? null
  const stamp = eventStamp(request, occurredAt)
  return {
    id: stamp.id,
    chain: youngPersonId ?? SYSTEM_CHAIN,
    occurredAt: stamp.occurredAt,
    ...actorOfSource(request),
    action: input.action,
    resourceType: input.resourceType,
    resourceId: input.resourceId ?? null,
    youngPersonId,
    category: input.category ?? null,
    consentIds: (input.consentIds ?? []).map((id) => id.toLowerCase()).sort(),
    outcome: input.outcome,
    requestId: stamp.requestId,
  }
}

/** The columns of the `input` rows the append CTEs read, in order. */
const INPUT_COLUMNS = sql.raw(
  'chain, canonical, id, occurred_at, actor_account_id, actor_kind, actor_role, actor_agency_id, actor_name, action, resource_type, resource_id, young_person_id, category, consent_ids, outcome, request_id',
)

/**
 * CTEs `input`, `head` and `appended` (to follow a WITH): advance each chain's head (the row lock
 * serialises writers of that chain only) and insert the events with the hashes the database computed
 * from the previous heads. `input` selects INPUT_COLUMNS, at most one row per chain.
 */
export function appendCtes(input: SQL): SQL {
  return sql`input (${INPUT_COLUMNS}) as (${input}),
head as (
  insert into audit_heads as h (chain, seq, hash)
  select chain, 1, encode(sha256(convert_to(${GENESIS_HASH} || canonical, 'UTF8')), 'hex') from input
  on conflict (chain) do update set
    seq = h.seq + 1,
    hash = encode(sha256(convert_to(h.hash || (select i.canonical from input i where i.chain = excluded.chain), 'UTF8')), 'hex')
  returning chain, seq, hash
),
appended as (
  insert into audit_events (id, chain, seq, occurred_at, actor_account_id, actor_kind, actor_role, actor_agency_id, actor_name, action, resource_type, resource_id, young_person_id, category, consent_ids, outcome, request_id, hash)
  select i.id, i.chain, head.seq, i.occurred_at, i.actor_account_id, i.actor_kind, i.actor_role, i.actor_agency_id, i.actor_name, i.action, i.resource_type, i.resource_id, i.young_person_id, i.category, i.consent_ids, i.outcome, i.request_id, head.hash
  from input i join head on head.chain = i.chain
  returning id
)`
}

function appendStatement(events: AuditEvent[]): SQL {
  return sql`with ${appendCtes(eventRows(events))} select count(*) from appended`
}

function eventRows(events: AuditEvent[]): SQL {
  const rows = events.map(
    (e) =>
      sql`(${e.chain}, ${canonicalEvent(e)}, ${e.id}::uuid, ${e.occurredAt}::timestamptz, ${e.actorAccountId}::uuid, ${e.actorKind}, ${e.actorRole}, ${e.actorAgencyId}::uuid, ${e.actorName}, ${e.action}, ${e.resourceType}, ${e.resourceId}, ${e.youngPersonId}::uuid, ${e.category}, ${`{${e.consentIds.join(',')}}`}::uuid[], ${e.outcome}, ${e.requestId})`,
  )
  return sql`values ${sql.join(rows, sql`, `)}`
}

/** What a statement decides about its own audit event: SQL expressions over the statement's `from`. */
export interface DecidedAudit {
  /** uuid or null: the young person the access concerns (null: the system chain). */
  youngPersonId: SQL
  /** text or null. */
  category: SQL
  /** uuid[]: the consents the access relied on. */
  consentIds: SQL
  /** 'allowed' or 'denied'. */
  outcome: SQL
  /** text: the record accessed, when the statement names it in SQL rather than in `input`. */
  resourceId?: SQL
}

const asJson = (value: SQL): SQL => sql`coalesce(to_json(${value})::text, 'null')`

/**
 * The `input` of `appendCtes` for one event whose outcome is decided inside the same statement as the
 * access. The canonical text is assembled in SQL exactly as `canonicalEvent` writes it, so the verifier
 * recomputes the same hash from the stored row.
 */
export function decidedEventInput(
  request: FastifyRequest,
  input: Omit<AuditInput, 'outcome' | 'youngPersonId' | 'category' | 'consentIds'>,
  decided: DecidedAudit,
  from: SQL,
  stamp?: EventStampSql,
): SQL {
  return eventsInput(request, input, decided, from, undefined, stamp)
}

/** What a list decides about the event of each row it shows: SQL expressions over the rows of its `from`. */
export interface ShownAudit {
  /** text: the record shown. */
  resourceId: SQL
  /** uuid: its young person, whose chain the event joins (one row per young person). */
  youngPersonId: SQL
  /** text or null. */
  category: SQL
}

/**
 * The `input` of `appendCtes` for a list that writes its events in the statement that reads it: one
 * allowed event per row of `from`, each with a time-ordered id of its own (as `eventId`), in the
 * chains' order (as `recordAudit` locks heads), so two statements touching the same young persons
 * cannot deadlock.
 */
export function shownEventsInput(request: FastifyRequest, input: Pick<AuditInput, 'action' | 'resourceType'>, shown: ShownAudit, from: SQL, stamp?: Omit<EventStampSql, 'id'>): SQL {
  const columns = { ...shown, consentIds: sql`'{}'::uuid[]`, outcome: sql`'allowed'` }
  const rows = sql`(select ${EVENT_ID_SQL} as event_id, shown.* from ${from} as shown) as shown`
  return sql`select * from (${eventsInput(request, input, columns, rows, sql`shown.event_id`, stamp && { id: sql`shown.event_id`, ...stamp })}) as events order by chain collate "C"`
}

/**
 * The rows `appendCtes` reads, decided in SQL: the event's id and resource id are the request's own
 * unless the statement gives them per row.
 */
function eventsInput(
  request: FastifyRequest,
  input: Omit<AuditInput, 'outcome' | 'youngPersonId' | 'category' | 'consentIds'>,
  decided: DecidedAudit,
  from: SQL,
  eventId?: SQL,
  stamp?: EventStampSql,
): SQL {
  const e = auditEvent(request, { ...input, outcome: 'denied' })
  const own = stamp ?? stampSql(e)
  const fixedJson = (fields: (keyof AuditEvent)[]) => JSON.stringify(fields.map((f) => e[f])).slice(1, -1)
  const youngPerson = sql`(${decided.youngPersonId})::uuid`
  const consentIds = sql`array(select u from unnest((${decided.consentIds})::uuid[]) u order by u)`
  const chain = sql`coalesce(${youngPerson}::text, ${SYSTEM_CHAIN})`
  const id = sql`(${eventId ?? own.id})::uuid`
  const occurredAt = sql`(${own.occurredAt})::text`
  const requestId = sql`(${own.requestId})::text`
  const resourceId = sql`(${decided.resourceId ?? sql`${e.resourceId}`})::text`
  // FIELD_ORDER: id, chain, occurredAt, the actor (the request's caller), action, resourceType, then the decided fields.
  const canonical = sql`'[' || to_json(${id}::text)::text || ',' || to_json(${chain})::text || ',' || ${asJson(occurredAt)} || ',' || ${fixedJson(FIELD_ORDER.slice(3, 10))} || ',' || ${asJson(resourceId)} || ',' || ${asJson(sql`${youngPerson}::text`)} || ',' || ${asJson(sql`(${decided.category})::text`)} || ',[' || coalesce(array_to_string(array(select to_json(u::text)::text from unnest(${consentIds}) u), ','), '') || '],' || ${asJson(sql`(${decided.outcome})::text`)} || ',' || ${asJson(requestId)} || ']'`
  return sql`select ${chain} as chain, ${canonical}, ${id}, ${occurredAt}::timestamptz, ${e.actorAccountId}::uuid, ${e.actorKind}::text, ${e.actorRole}::text, ${e.actorAgencyId}::uuid, ${e.actorName}::text, ${e.action}::text, ${e.resourceType}::text, ${resourceId}, ${youngPerson}, (${decided.category})::text, ${consentIds}, (${decided.outcome})::text, ${requestId} from ${from}`
}

/**
 * The statements that append `inputs`, one per batch of distinct chains (a chain's head advances once
 * per statement), each batch in chain order, so two requests touching the same young persons cannot
 * deadlock. Run in the access's own transaction: if one fails, the transaction fails.
 */
export function auditStatements(request: AuditSource, inputs: AuditInput[]): SQL[] {
  const occurredAt = new Date()
  const statements: SQL[] = []
  let pending = inputs.map((input) => auditEvent(request, input, occurredAt))
  while (pending.length > 0) {
    const seen = new Set<string>()
    const batch: AuditEvent[] = []
    const rest: AuditEvent[] = []
    for (const event of pending) {
      if (seen.has(event.chain)) rest.push(event)
      else {
        seen.add(event.chain)
        batch.push(event)
      }
    }
    batch.sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0))
    statements.push(appendStatement(batch))
    pending = rest
  }
  return statements
}

/** Writes audit events in the caller's transaction. If it fails, the transaction fails: no access without its record. */
export async function recordAudit(q: Queryable, request: AuditSource, inputs: AuditInput[]): Promise<void> {
  for (const statement of auditStatements(request, inputs)) await q.execute(statement)
}
