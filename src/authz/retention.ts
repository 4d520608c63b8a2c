// Who may be erased, and when: the retention job and granted erasure requests both ask here, in SQL.
import { type SQL, sql } from 'drizzle-orm'
import type { AnyColumn } from 'drizzle-orm'

/** A legal hold blocks retention and erasure alike, for as long as it is not lifted. */
export function onLegalHold(youngPersonId: AnyColumn | SQL | string): SQL {
  return sql`exists (select 1 from legal_holds h where h.young_person_id = ${youngPersonId} and h.lifted_at is null)`
}

/** Erasable: not erased already and not on legal hold. */
export function erasable(youngPersonId: AnyColumn | SQL, erasedAt: AnyColumn | SQL): SQL {
  return sql`(${erasedAt} is null and not ${onLegalHold(youngPersonId)})`
}
