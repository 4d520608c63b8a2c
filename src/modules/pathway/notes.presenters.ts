// A note as callers see it: its category, text, author and the corrections that point to it.
import type { Static } from 'typebox'
import type * as queries from '../../authz/data/notes.queries.js'
import type * as s from './notes.schemas.js'

export function presentNote(row: queries.NoteRow): Static<typeof s.Note> {
  return {
    id: row.id,
    youngPersonId: row.youngPersonId,
    category: row.category as Static<typeof s.Note>['category'],
    body: row.body,
    author: { professionalId: row.authorProfessionalId, name: row.authorName },
    corrects: row.correctsId,
    correctedBy: row.correctedBy,
    createdAt: row.createdAt,
  }
}
