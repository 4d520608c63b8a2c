// The door to a young person's data: one transaction, the caller's consents, the decision, not-found-not-forbidden, the audit.
import { eq, type SQL, sql } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import type { Principal } from '../auth/principal.js'
import { type Database, queryRows, type Tx } from '../db/client.js'
import { youngPersons } from '../db/schema/young-persons.js'
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js'
import { type AuditInput, auditStatements, recordAudit } from '../modules/audit/audit.writer.js'
import { type Action, type AppAbility, defineAbilityFor } from './abilities.js'
import { asCallerIsNow, callerHolds } from './remembered.js'
import { type PersonScope, scopeForYoungPerson, scopeWith } from './scope.js'
import { allowedFor, loadHeldConsents, youngPersonOfRecord } from './sql.js'
import type { PersonalSubject, SubjectName } from './subjects.js'

/**
 * Why a request is refused. `not_found`: the caller may not see the young person, indistinguishable
 * from a missing record. `forbidden`: the caller already sees the young person (their own record, or
 * a read consent) but may not do this: saying so reveals nothing new.
 */
export type Denial = 'not_found' | 'forbidden'

/** What a request wants to do, and how its audit event names it. */
export interface Access {
  action: Action
  subject: PersonalSubject
  /** The row the rules are checked against; `{ youngPersonId }` (or `{ id }` for YoungPerson) when omitted. */
  row?: object
  audit: Omit<AuditInput, 'outcome' | 'youngPersonId' | 'consentIds'>
}

/** Inside the door: the request's transaction and the caller's consents for this young person. */
export interface DoorScope {
  tx: Tx
  scope: PersonScope
  youngPersonId: string
}

/**
 * A refusal the work inside the door decides, once the caller is known to see the young person: the
 * consents its denied event names, and the reason a 403 may give (it reveals nothing new).
 */
export interface Refusal {
  denial: Denial
  consentIds?: string[]
  reason?: string
}

/** The answer of the work inside the door: the value, and the audit events of the allowed access. */
export interface Allowed<T> {
  value: T
  /** The door writes these in the same transaction. */
  audit: AuditInput[]
}

/** 403 only for a caller who may see the young person's record anyway; 404 for everyone else. */
export function denialFor(scope: PersonScope, youngPersonId: string): Denial {
  return scope.can('read', 'YoungPerson', { id: youngPersonId }) ? 'forbidden' : 'not_found'
}

export function refuse(denial: Denial | undefined, forbidden = 'Your consent for this young person does not allow this change'): never {
  if (denial === 'forbidden') throw new ForbiddenError(forbidden)
  throw new NotFoundError()
}

/**
 * Every access to one young person's data: opens the request's transaction, loads the caller's
 * consents (no lock), checks `access`, and either writes the denied event and answers 404 (403 for a
 * write by a caller who already sees the record), or runs `work` and writes its allowed events in the
 * same transaction. `work` may itself refuse with a Denial (a row the rules exclude).
 */
export async function withYoungPerson<T>(
  database: Database,
  request: FastifyRequest,
  youngPersonId: string,
  access: Access,
  work: (door: DoorScope) => Promise<Allowed<T> | Denial | Refusal>,
): Promise<T> {
  const outcome = await decideAndRecord(database, request, (tx) => decideDoor(tx, request, youngPersonId, access, work))
  if ('denial' in outcome) refuse(outcome.denial, outcome.reason)
  return outcome.value
}

/** What the door decided, and the events that record it: written last in the same transaction, with its COMMIT. */
interface Decided<O> {
  outcome: O
  audit: AuditInput[]
}

/**
 * The door inside a transaction the caller already holds (an idempotent create opens its own, to
 * claim the key in it): the same decision and audit as `withYoungPerson`, with the refusal handed
 * back instead of thrown, so that nothing is stored under the key for it.
 */
export async function enterDoor<T>(
  tx: Tx,
  request: FastifyRequest,
  youngPersonId: string,
  access: Access,
  work: (door: DoorScope) => Promise<Allowed<T> | Denial | Refusal>,
): Promise<{ value: T } | Refusal> {
  const { outcome, audit } = await decideDoor(tx, request, youngPersonId, access, work)
  await recordAudit(tx, request, audit)
  return outcome
}

async function decideDoor<T>(
  tx: Tx,
  request: FastifyRequest,
  youngPersonId: string,
  access: Access,
  work: (door: DoorScope) => Promise<Allowed<T> | Denial | Refusal>,
): Promise<Decided<{ value: T } | Refusal>> {
  const scope = await scopeForYoungPerson(tx, request.principal, youngPersonId)
  const row = access.row ?? (access.subject === 'YoungPerson' ? { id: youngPersonId } : { youngPersonId })
  const result = scope.can(access.action, access.subject, row) ? await work({ tx, scope, youngPersonId }) : undefined
  if (result !== undefined && typeof result === 'object' && 'denial' in result) {
    // The work refused something the caller may see the young person for: the event names the consents it weighed.
    return { outcome: result, audit: [{ ...access.audit, youngPersonId, consentIds: result.consentIds, outcome: 'denied' }] }
  }
  if (result === undefined || typeof result === 'string') {
    const [person] = await tx.select({ id: youngPersons.id }).from(youngPersons).where(eq(youngPersons.id, youngPersonId))
    const denial: Denial = result ?? (person && access.action !== 'read' ? denialFor(scope, youngPersonId) : 'not_found')
    return { outcome: { denial }, audit: [{ ...access.audit, youngPersonId: person ? youngPersonId : null, outcome: 'denied' }] }
  }
  return { outcome: { value: result.value }, audit: result.audit }
}

/**
 * Inside the door before the caller's consents are known: the request's transaction, and the caller's
 * rules with every consent term as a condition of the statement that carries it (`accessibleWhere`).
 * `guard` is the door's own check (`Access`) as such a condition, for statements no narrower rule filters.
 */
export interface ReadAhead {
  tx: Tx
  ability: AppAbility
  principal: Principal
  youngPersonId: string
  guard: SQL
}

/** A read's value, and its allowed events once the consents that allowed it are known. */
export interface ReadAnswer<T> {
  value: T
  audit: (scope: PersonScope) => AuditInput[]
}

/**
 * A read of one young person's records in two round trips: the read's statements carry the rules
 * themselves (no rule, no rows), so they travel with BEGIN and the consents the door decides on; the
 * events follow with COMMIT. The decision, its 404 and its denied event are `withYoungPerson`'s: when
 * it refuses, the read's rows (already only what the rules allow) are never used. The read answers
 * `not_found` when its own statements found nothing the guard lets through (the record is gone, or a
 * consent was revoked between the two statements' snapshots).
 */
export async function withYoungPersonRead<T>(
  database: Database,
  request: FastifyRequest,
  youngPersonId: string,
  access: Access,
  read: (door: ReadAhead) => Promise<ReadAnswer<T> | 'not_found'>,
): Promise<T> {
  const outcome = await decideAndRecord(database, request, (tx) => decideRead(tx, request, youngPersonId, access, read))
  if ('denial' in outcome) refuse(outcome.denial)
  return outcome.value
}

async function decideRead<T>(
  tx: Tx,
  request: FastifyRequest,
  youngPersonId: string,
  access: Access,
  read: (door: ReadAhead) => Promise<ReadAnswer<T> | 'not_found'>,
): Promise<Decided<{ value: T } | { denial: Denial }>> {
  if (access.action !== 'read' || access.row !== undefined) throw new Error('withYoungPersonRead decides reads of a young person as a whole')
  const principal = request.principal
  const row: Record<string, string> = access.subject === 'YoungPerson' ? { id: youngPersonId } : { youngPersonId }
  const ability = defineAbilityFor(principal)
  const guard = allowedFor(ability, principal, 'read', access.subject, row)
  const [scope, answer] = await allSettled([scopeForYoungPerson(tx, principal, youngPersonId), Promise.resolve().then(() => read({ tx, ability, principal, youngPersonId, guard }))])
  if (answer !== 'not_found' && scope.can('read', access.subject, row)) return { outcome: { value: answer.value }, audit: answer.audit(scope) }
  const [person] = await tx.select({ id: youngPersons.id }).from(youngPersons).where(eq(youngPersons.id, youngPersonId))
  return { outcome: { denial: 'not_found' }, audit: [{ ...access.audit, youngPersonId: person ? youngPersonId : null, outcome: 'denied' }] }
}

type AuditBase = Omit<AuditInput, 'outcome' | 'youngPersonId' | 'consentIds'>

/** What a request wants to do with a record addressed by its own id. */
export interface RecordAccess<R> {
  action: Action
  subject: PersonalSubject
  /** The event, for the row when it was found (a write names the row's category). */
  audit: AuditBase | ((row: R | undefined) => AuditBase)
  /** The 403's words, for a caller who sees the record but may not do this. */
  forbidden?: string
}

/** A change the record's state does not allow (a referral already decided): audited as denied, answered 409. */
export interface Conflict {
  conflict: string
}

/**
 * A record addressed by its own id (a goal, a step): `locate` finds it, and so its young person,
 * inside the door's transaction; the rules are checked against the row itself. A missing row and a
 * row the caller may not see are the same 404; a row the caller sees but may not change is 403. Every
 * refusal is audited (under the young person when the row exists). `work` may refuse too: a change
 * that would move the row where the caller may not write, or one its state does not allow (409).
 */
export async function withRecord<R extends { youngPersonId: string }, T>(
  database: Database,
  request: FastifyRequest,
  locate: (tx: Tx) => Promise<R | undefined>,
  access: RecordAccess<R>,
  work: (door: DoorScope, row: R) => Promise<Allowed<T> | Denial | Conflict>,
): Promise<T> {
  const outcome = await decideAndRecord(database, request, (tx) => decideRecord(tx, request, locate, access, work))
  if ('conflict' in outcome) throw new ConflictError(outcome.conflict)
  if ('denial' in outcome) refuse(outcome.denial, access.forbidden)
  return outcome.value
}

/** Inside the door before the record and the caller's consents are known: `ReadAhead` without a young person yet. */
export type RecordAhead = Omit<ReadAhead, 'youngPersonId' | 'guard'>

/**
 * A record read by its own id in two round trips: the record, the caller's consents for its young
 * person (found by the record's id in the same statement) and `read`'s own statements (the rules in
 * them) travel with BEGIN; the events follow with COMMIT. `read` answers how the found row becomes the
 * value and its events; the decision, the 404 and the denied event are `withRecord`'s.
 */
export async function withRecordRead<R extends { youngPersonId: string }, T>(
  database: Database,
  request: FastifyRequest,
  record: { id: string; locate: (tx: Tx) => Promise<R | undefined> },
  access: RecordAccess<R>,
  read: (ahead: RecordAhead) => Promise<(row: R, scope: PersonScope) => Allowed<T>>,
): Promise<T> {
  const outcome = await decideAndRecord(database, request, (tx) => decideRecordRead(tx, request, record, access, read))
  if ('denial' in outcome) refuse(outcome.denial)
  return outcome.value
}

async function decideRecordRead<R extends { youngPersonId: string }, T>(
  tx: Tx,
  request: FastifyRequest,
  record: { id: string; locate: (tx: Tx) => Promise<R | undefined> },
  access: RecordAccess<R>,
  read: (ahead: RecordAhead) => Promise<(row: R, scope: PersonScope) => Allowed<T>>,
): Promise<Decided<{ value: T } | { denial: Denial }>> {
  if (access.action !== 'read') throw new Error('withRecordRead decides reads')
  const principal = request.principal
  const ability = defineAbilityFor(principal)
  const [row, consents, finish] = await allSettled([
    record.locate(tx),
    loadHeldConsents(tx, principal, youngPersonOfRecord(access.subject, record.id)),
    Promise.resolve().then(() => read({ tx, ability, principal })),
  ])
  // A record's young person never changes: the consents found by the record's id are those for `row.youngPersonId`.
  const scope = scopeWith(principal, consents)
  if (row && scope.can('read', access.subject, row)) {
    const done = finish(row, scope)
    return { outcome: { value: done.value }, audit: done.audit }
  }
  const event = typeof access.audit === 'function' ? access.audit(row) : access.audit
  return { outcome: { denial: 'not_found' }, audit: [{ ...event, youngPersonId: row?.youngPersonId ?? null, outcome: 'denied' }] }
}

/** `withRecord` inside a transaction the caller already holds (an idempotent create), the refusal handed back. */
export async function enterRecord<R extends { youngPersonId: string }, T>(
  tx: Tx,
  request: FastifyRequest,
  locate: (tx: Tx) => Promise<R | undefined>,
  access: RecordAccess<R>,
  work: (door: DoorScope, row: R) => Promise<Allowed<T> | Denial | Conflict>,
): Promise<{ value: T } | { denial: Denial } | Conflict> {
  const { outcome, audit } = await decideRecord(tx, request, locate, access, work)
  await recordAudit(tx, request, audit)
  return outcome
}

async function decideRecord<R extends { youngPersonId: string }, T>(
  tx: Tx,
  request: FastifyRequest,
  locate: (tx: Tx) => Promise<R | undefined>,
  access: RecordAccess<R>,
  work: (door: DoorScope, row: R) => Promise<Allowed<T> | Denial | Conflict>,
): Promise<Decided<{ value: T } | { denial: Denial } | Conflict>> {
  const row = await locate(tx)
  const scope = row ? await scopeForYoungPerson(tx, request.principal, row.youngPersonId) : undefined
  const event = typeof access.audit === 'function' ? access.audit(row) : access.audit
  const result = row && scope?.can(access.action, access.subject, row) ? await work({ tx, scope, youngPersonId: row.youngPersonId }, row) : undefined
  if (result === undefined || typeof result === 'string' || 'conflict' in result) {
    const audit: AuditInput[] = [{ ...event, youngPersonId: row?.youngPersonId ?? null, outcome: 'denied' }]
    if (typeof result === 'object') return { outcome: result, audit }
    // Saying "not allowed" reveals nothing to a caller who may read the record anyway.
    const seen = row !== undefined && scope !== undefined && access.action !== 'read' && scope.can('read', access.subject, row)
    return { outcome: { denial: result ?? (seen ? 'forbidden' : 'not_found') }, audit }
  }
  return { outcome: { value: result.value }, audit: result.audit }
}

/**
 * A list across young persons: `read` runs in the request's transaction with the rules already in
 * its statement (`accessibleWhere`: no rule, no rows), and the events `audit` names for what the
 * caller is shown are written last in the same transaction, with its COMMIT. A remembered caller
 * (`principalInStatement`) is re-checked by a statement that travels with BEGIN and the read: when
 * they no longer hold, nothing is shown or written, and the list is read again for who they are now.
 * `read` builds its rules from the principal it is given, and whatever it throws waits for that check.
 */
export async function withList<T>(
  database: Database,
  request: FastifyRequest,
  read: (tx: Tx, principal: Principal) => Promise<T>,
  audit: (found: T) => AuditInput[],
): Promise<T> {
  return asCallerTransaction(database, request, (tx) => read(tx, request.principal), (found) => auditStatements(request, audit(found)))
}

/** Statements sent together: waits for every one (none still running when the transaction ends), then throws the first failure. */
async function allSettled<T extends readonly unknown[]>(pending: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(pending)
  const failed = settled.find((s) => s.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T
}

/** The door's decision in the request's transaction (`asCallerTransaction`), its events sent with the COMMIT. */
async function decideAndRecord<O>(database: Database, request: FastifyRequest, decide: (tx: Tx) => Promise<Decided<O>>): Promise<O> {
  const { outcome } = await asCallerTransaction(database, request, decide, (decided) => auditStatements(request, decided.audit))
  return outcome
}

/** A remembered caller found stale inside the transaction: thrown to roll the work back. */
class StaleCaller extends Error {}
const STALE: unique symbol = Symbol('stale caller')

/**
 * The request's transaction (`database.transaction`). A remembered caller (`principalInStatement`) is
 * re-checked by a statement that travels with BEGIN and the work's first statement; what the work
 * throws waits for that check. When the caller no longer holds, the work is rolled back, they are
 * looked up again (401 when the account is gone) and the work runs once more for who they are now
 * (`asCallerIsNow`): so `work` takes the caller from `request.principal` when it runs, never from before.
 */
async function asCallerTransaction<T>(database: Database, request: FastifyRequest, work: (tx: Tx) => Promise<T>, finish: (value: T) => SQL[]): Promise<T> {
  const attempt = () =>
    database
      .transaction(async (tx) => {
        const holds = request.principalToVerify ? queryRows<{ holds: boolean }>(tx, sql`select ${callerHolds(request)} as holds`) : undefined
        const [done, held] = await Promise.allSettled([Promise.resolve().then(() => work(tx)), holds])
        if (held.status === 'rejected') throw held.reason
        if (held.value !== undefined && held.value[0]?.holds !== true) throw new StaleCaller()
        if (done.status === 'rejected') throw done.reason
        return done.value
      }, finish)
      .catch((error: unknown): typeof STALE => {
        if (error instanceof StaleCaller) return STALE
        throw error
      })
  const result = await asCallerIsNow(request, attempt, (found) => found === STALE)
  if (result === STALE) throw new Error('unreachable: asCallerIsNow never answers a stale caller')
  return result
}

/**
 * Door steps that commit together, in one transaction the door opens (the page reads a consent and
 * grants its replacement; an idempotent create claims its key in the same transaction). Each step is
 * `enterDoor` or `enterRecord`: checked and audited on its own, its refusal handed back.
 */
export interface Doorway {
  request: FastifyRequest
  youngPerson<T>(youngPersonId: string, access: Access, work: (door: DoorScope) => Promise<Allowed<T> | Denial | Refusal>): Promise<{ value: T } | Refusal>
  record<R extends { youngPersonId: string }, T>(
    locate: (tx: Tx) => Promise<R | undefined>,
    access: RecordAccess<R>,
    work: (door: DoorScope, row: R) => Promise<Allowed<T> | Denial | Conflict>,
  ): Promise<{ value: T } | { denial: Denial } | Conflict>
}

/** The steps of a doorway in a transaction already held (the idempotency claim's). */
export function doorway(tx: Tx, request: FastifyRequest): Doorway {
  return {
    request,
    youngPerson: (youngPersonId, access, work) => enterDoor(tx, request, youngPersonId, access, work),
    record: (locate, access, work) => enterRecord(tx, request, locate, access, work),
  }
}

/** Opens the request's transaction for steps that must commit together; see `Doorway`. */
export function throughDoor<T>(database: Database, request: FastifyRequest, steps: (door: Doorway) => Promise<T>): Promise<T> {
  return database.transaction((tx) => steps(doorway(tx, request)))
}

/** The answer of role-gated work: its value and events, and what the change sets in motion once they are written. */
export interface RoleWork<T> extends Allowed<T> {
  /** Runs after the events (a granted erasure erases at once, and its own events follow the decision's). */
  afterwards?: (tx: Tx) => Promise<void>
}

/** Operations on a type as a whole (registry, intake, statistics, the roles below): a caller without the permission gets 403. */
export function ensureCan(principal: Principal, action: Action, subject: SubjectName): void {
  if (!defineAbilityFor(principal).can(action, subject)) throw new ForbiddenError('Your account may not use this operation')
}

/**
 * Work a role allows, not a consent: the data protection officer's erasure decisions and legal holds,
 * a young person's own requests and questions. The rule is checked first (403, nothing written: the
 * caller's role decided it, not the young person's data); the work, its events and what it sets in
 * motion run in one transaction. A missing record or a state that refuses (404, 409) rolls it all back.
 */
export async function withRole<T>(database: Database, request: FastifyRequest, action: Action, subject: SubjectName, work: (tx: Tx) => Promise<RoleWork<T>>): Promise<T> {
  ensureCan(request.principal, action, subject)
  const done = await database.transaction(
    async (tx) => {
      const done = await work(tx)
      // With nothing set in motion, the events travel with the COMMIT; otherwise they are written first.
      return done.afterwards ? { value: await recordRoleWork(tx, request, done), audit: [] } : done
    },
    (done) => auditStatements(request, done.audit),
  )
  return done.value
}

/** `withRole` inside a transaction the caller already holds (an intake claims its idempotency key in it). */
export async function enterRole<T>(tx: Tx, request: FastifyRequest, action: Action, subject: SubjectName, work: (tx: Tx) => Promise<RoleWork<T>>): Promise<T> {
  ensureCan(request.principal, action, subject)
  return recordRoleWork(tx, request, await work(tx))
}

/** Writes role work's events, then runs what it sets in motion (a granted erasure erases after its decision's event). */
async function recordRoleWork<T>(tx: Tx, request: FastifyRequest, done: RoleWork<T>): Promise<T> {
  await recordAudit(tx, request, done.audit)
  if (done.afterwards) await done.afterwards(tx)
  return done.value
}
