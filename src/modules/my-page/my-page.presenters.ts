// Plain-language view models for the page: consents as sentences, the access log grouped by day and person.
import type { TFunction } from 'i18next'
import type { ConsentRow } from '../consents/consents.queries.js'
import { consentStatus } from '../consents/consents.service.js'
import { dayOf } from '../review-items/review-items.service.js'
import { formatDate, type Language } from './i18n.js'
import type { Overview } from './my-page.service.js'

const list = (lang: Language, items: string[]) => new Intl.ListFormat(lang, { style: 'long', type: 'conjunction' }).format(items)

/** "The nurses of Youth Health Services may read your health notes until 30 June 2027." */
export function consentSentence(t: TFunction, lang: Language, row: ConsentRow, team: Overview['team']): string {
  const member = team.find((m) => m.consentId === row.id)
  const who = row.granteeProfessionalId
    ? member?.role
      ? t('consent.whoPerson', { name: row.granteeName, role: t(`role.${member.role}`), agency: member.agencyName })
      : (row.granteeName ?? '')
    : row.granteeRole
      ? t('consent.whoRole', { role: t(`rolePlural.${row.granteeRole}`), agency: row.granteeName })
      : t('consent.whoAgency', { agency: row.granteeName })
  return t('consent.sentence', {
    who,
    actions: list(lang, row.actions.map((a) => t(`action.${a}`))),
    categories: list(lang, row.categories.map((c) => t(`category.${c}`))),
    until: formatDate(lang, row.validUntil),
  })
}

export function presentConsents(t: TFunction, lang: Language, overview: Overview) {
  return overview.consents.map((row) => ({
    id: row.id,
    sentence: consentSentence(t, lang, row, overview.team),
    status: consentStatus(row),
    statusText: t(`status.${consentStatus(row)}`),
    purpose: row.purpose,
    method: row.method,
    evidence: row.evidence,
    recordedBy: (row as { grantedByName?: string | null }).grantedByName ?? null,
    createdAt: formatDate(lang, row.createdAt),
  }))
}

/** What Polku holds: each category with how many notes, and who may see it until when. */
export function presentHoldings(t: TFunction, lang: Language, overview: Overview) {
  const counts = new Map<string, number>([['identity', 1]])
  for (const note of overview.notes) counts.set(note.category, (counts.get(note.category) ?? 0) + 1)
  return [...counts.entries()].map(([category, notes]) => ({
    category: t(`category.${category}`),
    notes: category === 'identity' ? t('holdings.identity') : t('holdings.notes', { count: notes }),
    holders: overview.team
      .filter((m) => m.categories.includes(category))
      .map((m) => t('holdings.holder', { who: m.name ?? m.agencyName, until: formatDate(lang, m.validUntil) })),
  }))
}

export function presentRequests(t: TFunction, lang: Language, overview: Overview) {
  return overview.requests
    .filter((r) => r.status === 'pending' && r.expiresAt.getTime() > Date.now())
    .map((r) => ({
      id: r.id,
      sentence: t('request.sentence', {
        by: r.requestedByName,
        who: r.granteeName,
        actions: list(lang, r.actions.map((a) => t(`action.${a}`))),
        categories: list(lang, r.categories.map((c) => t(`category.${c}`))),
      }),
      purpose: r.purpose,
      expires: formatDate(lang, r.expiresAt),
    }))
}

type LogRow = Overview['accessLog'][number]

/** Groups by day and person: "read your health notes 3 times — under your consent of 12 November", refusals apart. */
export function presentAccessLog(t: TFunction, lang: Language, overview: Overview) {
  const consentDates = new Map(overview.consents.map((c) => [c.id, formatDate(lang, c.createdAt)]))
  const groups = new Map<string, { day: string; who: string; eventId: string; rows: LogRow[] }>()
  for (const row of overview.accessLog) {
    const day = dayOf(row.occurredAt)
    const who = [row.actorName, row.actorRole ? t(`role.${row.actorRole}`, { defaultValue: row.actorRole }) : t(`actor.${row.actorKind}`, { defaultValue: row.actorKind }), row.agencyName]
      .filter(Boolean)
      .join(', ')
    const key = `${day}|${who}`
    if (!groups.has(key)) groups.set(key, { day, who, eventId: row.id, rows: [] })
    groups.get(key)!.rows.push(row)
  }
  return [...groups.values()].map((group) => {
    const lines = new Map<string, { text: string; refused: boolean }>()
    const tally = new Map<string, number>()
    for (const row of group.rows) {
      const what = t(`log.action.${row.action}`, { defaultValue: row.action })
      const category = row.category ? t(`category.${row.category}`) : t(`log.resource.${row.resourceType}`, { defaultValue: row.resourceType })
      const under = row.consentIds.map((id) => consentDates.get(id)).filter(Boolean)[0]
      const key = `${row.outcome}|${what}|${category}|${under ?? ''}`
      tally.set(key, (tally.get(key) ?? 0) + 1)
      const count = tally.get(key)!
      const text =
        row.outcome === 'denied'
          ? t('log.refused', { what, category, count })
          : under
            ? t('log.allowedUnder', { what, category, count, date: under })
            : t('log.allowed', { what, category, count })
      lines.set(key, { text, refused: row.outcome === 'denied' })
    }
    return { day: formatDate(lang, group.day), who: group.who, eventId: group.eventId, lines: [...lines.values()] }
  })
}

export function presentQuestions(lang: Language, overview: Overview) {
  return overview.questions.map((q) => ({
    day: formatDate(lang, q.day),
    who: [q.actorName, q.agencyName].filter(Boolean).join(', '),
    question: q.question,
    answer: q.answer,
    answeredAt: q.answeredAt ? formatDate(lang, q.answeredAt) : null,
  }))
}
