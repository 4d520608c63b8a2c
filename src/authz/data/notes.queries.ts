// SQL of notes. Which categories a caller reads is decided by src/authz, rendered into the same statement.
import { and, count, desc, eq, type SQL, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { notes } from '../../db/schema/pathway.js'
import { professionals } from '../../db/schema/registry.js'
import { afterCursor, type PageRequest } from '../../http/pagination.js'

const noteColumns = {
  id: notes.id,
  youngPersonId: notes.youngPersonId,
  category: notes.category,
  body: notes.body,
  authorProfessionalId: notes.authorProfessionalId,
  authorName: professionals.displayName,
  correctsId: notes.correctsId,
  // A correction has its note's category, so whoever reads the note may read these ids.
  correctedBy: sql<string[]>`(select coalesce(array_agg(c.id::text order by c.created_at, c.id), '{}'::text[]) from ${notes} c where c.corrects_id = ${sql.identifier('notes')}.${sql.identifier('id')})`,
  createdAt: notes.createdAt,
}

const selectNotes = (q: Queryable) => q.select(noteColumns).from(notes).innerJoin(professionals, eq(professionals.id, notes.authorProfessionalId))

export async function findNote(q: Queryable, id: string) {
  const [row] = await selectNotes(q).where(eq(notes.id, id))
  return row
}

export type NoteRow = NonNullable<Awaited<ReturnType<typeof findNote>>>

export async function insertNote(
  q: Queryable,
  note: { youngPersonId: string; category: string; body: string; authorProfessionalId: string; correctsId: string | null },
): Promise<NoteRow> {
  const [row] = await q.insert(notes).values(note).returning({ id: notes.id })
  return (await findNote(q, row!.id))!
}

/** One page of the young person's notes that `allowed` admits, newest first. */
export async function listNotes(q: Queryable, youngPersonId: string, allowed: SQL, category: string | undefined, page: PageRequest) {
  const where = and(eq(notes.youngPersonId, youngPersonId), allowed, category === undefined ? undefined : eq(notes.category, category))
  // The page and its total are sent together: one round trip.
  const [rows, [total]] = await Promise.all([
    selectNotes(q)
      .where(and(where, afterCursor(page, notes.createdAt, notes.id, 'desc')))
      .orderBy(desc(notes.createdAt), desc(notes.id))
      .limit(page.limit + 1),
    q.select({ n: count() }).from(notes).where(where),
  ])
  return { rows, total: total?.n ?? 0 }
}
