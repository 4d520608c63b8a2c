// Schemas of notes: one category each, never edited; a correction points at the note it corrects.
import { Type } from 'typebox'
import { Category, Nullable, PageQuery, Timestamp, Uuid } from '../../http/schemas.js'

export const CreateNote = Type.Object(
  {
    category: Category,
    body: Type.String({ minLength: 1, maxLength: 20000, description: 'The note text' }),
    corrects: Type.Optional(Uuid('A note of the same young person and category that this note corrects; both stay visible')),
  },
  { additionalProperties: false },
)

export const Note = Type.Object(
  {
    id: Uuid('Note id'),
    youngPersonId: Uuid('The young person'),
    category: Category,
    body: Type.String({ maxLength: 20000, description: 'The note text' }),
    author: Type.Object(
      { professionalId: Uuid('The author'), name: Type.String({ description: 'Their display name' }) },
      { additionalProperties: false, description: 'Who wrote the note' },
    ),
    corrects: Nullable(Uuid('The note this one corrects')),
    correctedBy: Type.Array(Uuid('A correction'), { description: 'Later notes that correct this one, oldest first' }),
    createdAt: Timestamp('When the note was written'),
  },
  { additionalProperties: false },
)

export const NoteQuery = Type.Object(
  { ...PageQuery, category: Type.Optional(Category) },
  { additionalProperties: false },
)

export const NoteList = Type.Object(
  {
    items: Type.Array(Note, { description: 'Notes in the categories the caller may read, newest first' }),
    nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last page' })),
    total: Type.Integer({ description: 'How many notes the caller may read in all (with the category filter)' }),
  },
  { additionalProperties: false },
)
