// Erasure itself: blanks or deletes the content of due categories, leaving tombstones (ids, kinds, dates) and an audit event.
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { DATA_CATEGORIES, type DataCategory } from '../../config.js'
import type { Queryable } from '../../db/client.js'
import { type AuditSource, recordAudit } from '../audit/audit.writer.js'

export type ErasureCause = 'retention' | 'erasure_request'

/** The closed-pathway triggers let this transaction through: erasure is the one change a closed pathway takes. */
async function allowErasureWrites(q: Queryable): Promise<void> {
  await q.execute(sql`select set_config('polku.erasing', 'on', true)`)
}

/** Records matching `where` of `table` become tombstones before their content goes. */
function tombstones(table: string, kind: string, categoryExpression: string, where: ReturnType<typeof sql>, youngPersonId: string, now: string, cause: ErasureCause) {
  return sql`insert into erased_records (record_id, kind, young_person_id, category, created_at, erased_at, cause)
    select t.id, ${kind}, ${youngPersonId}::uuid, ${sql.raw(categoryExpression)}, t.created_at, ${now}::timestamptz, ${cause}
    from ${sql.raw(table)} t where ${where}
    on conflict (record_id, kind) do nothing`
}

/**
 * Erases the content of `categories` for one young person: notes are deleted, goals and steps lose their
 * titles, `pathway` takes the summary and referral reasons and outcomes, `identity` the identity fields.
 * Statuses, ids and dates stay, so anonymous statistics and the audit trail keep their meaning.
 */
export async function eraseCategories(q: Queryable, youngPersonId: string, categories: readonly DataCategory[], now: Date, cause: ErasureCause): Promise<void> {
  if (categories.length === 0) return
  await allowErasureWrites(q)
  const at = now.toISOString()
  const list = sql`${`{${categories.join(',')}}`}::text[]`
  const person = sql`t.young_person_id = ${youngPersonId}::uuid`
  const pathwayToo = categories.includes('pathway')

  const notes = sql`${person} and t.category = any(${list})`
  await q.execute(tombstones('notes', 'note', 't.category', notes, youngPersonId, at, cause))
  await q.execute(sql`delete from notes t where ${notes}`)

  const goals = sql`${person} and (t.category = any(${list}) or (t.category is null and ${pathwayToo}))`
  await q.execute(tombstones('goals', 'goal', "coalesce(t.category, 'pathway')", goals, youngPersonId, at, cause))
  await q.execute(sql`update goals t set title = '' where ${goals}`)
  const steps = sql`${person} and (t.goal_category = any(${list}) or (t.goal_category is null and ${pathwayToo}))`
  await q.execute(tombstones('steps', 'step', "coalesce(t.goal_category, 'pathway')", steps, youngPersonId, at, cause))
  await q.execute(sql`update steps t set title = '' where ${steps}`)

  if (pathwayToo) {
    await q.execute(sql`update pathways set summary = '' where young_person_id = ${youngPersonId}`)
    await q.execute(tombstones('referrals', 'referral', "'pathway'", person, youngPersonId, at, cause))
    await q.execute(sql`update referrals set reason = '', decision_reason = null, outcome = null where young_person_id = ${youngPersonId}`)
  }
  if (categories.includes('identity')) {
    await q.execute(sql`update young_persons set given_name = '', family_name = '', birth_date = null, email = null, phone = null where id = ${youngPersonId}`)
  }
  await q.execute(sql`insert into category_erasures (young_person_id, category, erased_at, cause)
    select ${youngPersonId}::uuid, c, ${at}::timestamptz, ${cause} from unnest(${list}) as c
    on conflict (young_person_id, category) do update set erased_at = excluded.erased_at, cause = excluded.cause`)
}

/**
 * Makes the whole record a tombstone: every category, consent purposes and evidence, consent requests,
 * link codes, the words of review items, stored idempotent responses; ends every consent; tells the partners
 * who heard about the young person.
 */
export async function eraseRecord(q: Queryable, youngPersonId: string, now: Date, cause: ErasureCause): Promise<{ noticeEventId: string }> {
  await eraseCategories(q, youngPersonId, DATA_CATEGORIES, now, cause)
  const at = now.toISOString()
  const person = sql`t.young_person_id = ${youngPersonId}::uuid`
  await q.execute(tombstones('consents', 'consent', 'null', person, youngPersonId, at, cause))
  // A consent that still runs ends now (the database's clock): nobody reads an erased record.
  await q.execute(sql`update consents set purpose = '', evidence = null,
      revoked_at = case when revoked_at is null and superseded_at is null and valid_until > now() then now() else revoked_at end
    where young_person_id = ${youngPersonId}`)
  await q.execute(tombstones('consent_requests', 'consent_request', 'null', person, youngPersonId, at, cause))
  await q.execute(sql`update consent_requests set purpose = '', status = case when status = 'pending' then 'declined' else status end where young_person_id = ${youngPersonId}`)
  await q.execute(tombstones('pathways', 'pathway', "'pathway'", person, youngPersonId, at, cause))
  // Unused link codes would still tie a login to the record; the young person's questions are their own words.
  await q.execute(sql`delete from link_codes where young_person_id = ${youngPersonId}`)
  await q.execute(sql`update review_items set question = '', answer = case when answer is null then null else '' end where young_person_id = ${youngPersonId}`)
  // Responses stored for Idempotency-Key replays of requests about this young person.
  await q.execute(sql`delete from idempotency_keys where path like ${`%/young-persons/${youngPersonId}%`}`)
  await q.execute(sql`insert into erased_records (record_id, kind, young_person_id, category, created_at, erased_at, cause)
    select id, 'young_person', id, 'identity', created_at, ${at}::timestamptz, ${cause} from young_persons where id = ${youngPersonId}
    on conflict (record_id, kind) do nothing`)
  await q.execute(sql`update young_persons set erased_at = ${at}::timestamptz where id = ${youngPersonId}`)
  return { noticeEventId: await notifyPartners(q, youngPersonId, now) }
}

/**
 * Queues `personal_data.erased` (ids only) on the signed outbox for every endpoint that was ever sent an
 * event about the young person; its delivery row is the partner's acknowledgement record.
 */
async function notifyPartners(q: Queryable, youngPersonId: string, now: Date): Promise<string> {
  const eventId = randomUUID()
  const payload = JSON.stringify({ id: eventId, type: 'personal_data.erased', createdAt: now.toISOString(), data: { youngPersonId, erasedAt: now.toISOString() } })
  await q.execute(sql`insert into webhook_deliveries (event_id, endpoint_id, event_type, payload)
    select ${eventId}::uuid, e.id, 'personal_data.erased', ${payload}::jsonb
    from webhook_endpoints e
    where exists (select 1 from webhook_deliveries d where d.endpoint_id = e.id and d.event_type <> 'personal_data.erased' and d.payload -> 'data' ->> 'youngPersonId' = ${youngPersonId})`)
  return eventId
}

/** Erases what is due and appends the audit event: one for the categories, one more when the record became a tombstone. */
export async function eraseAndAudit(
  q: Queryable,
  source: AuditSource,
  youngPersonId: string,
  categories: readonly DataCategory[],
  whole: boolean,
  now: Date,
  cause: ErasureCause,
): Promise<void> {
  if (whole) await eraseRecord(q, youngPersonId, now, cause)
  else await eraseCategories(q, youngPersonId, categories, now, cause)
  const erased = whole ? DATA_CATEGORIES : categories
  await recordAudit(q, source, [
    ...erased.map((category) => ({ action: 'erase', resourceType: 'YoungPerson', resourceId: youngPersonId, youngPersonId, category, outcome: 'allowed' as const })),
    ...(whole ? [{ action: 'erase_record', resourceType: 'YoungPerson', resourceId: youngPersonId, youngPersonId, outcome: 'allowed' as const }] : []),
  ])
}
