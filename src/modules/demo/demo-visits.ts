// Demo anonymous visits: about a year at three centres, with weekly and seasonal rhythm, from a fixed seed.
import type { Queryable } from '../../db/client.js'
import type { AgencyKind } from '../../db/schema/registry.js'
import { insertCentre } from '../registry/registry.queries.js'
import { insertVisits, type NewVisit } from '../visits/visits.queries.js'
import type { AgeBand, Channel, Service, Topic } from '../visits/visits.schemas.js'
import { centreToday } from '../visits/visits.service.js'

type Weights<T extends string> = Partial<Record<T, number>>

/** Visits on an ordinary weekday in an ordinary month. */
const DAILY_VISITS = { main: 9, second: 2.6, third: 1.8 }
/** Month by month (January first): quiet in July and at Christmas, busy when studies start. */
const SEASON = [1.15, 1.05, 1, 0.95, 0.9, 0.6, 0.35, 1.2, 1.25, 1.05, 1, 0.7]
/** Sunday first: the centres are open on weekdays, events sometimes fall on Saturdays. */
const WEEKDAY = [0.05, 1, 1, 1, 1, 0.9, 0.15]

const CHANNELS: Weights<Channel> = { walk_in: 50, phone: 12, chat: 10, outreach: 10, event: 5, school_visit: 6, online: 7 }
const AGE_BANDS: Weights<AgeBand> = { under_15: 4, '15_17': 20, '18_24': 50, '25_29': 22, unknown: 4 }
const TOPICS: Weights<Topic> = {
  studies: 10,
  courses: 5,
  work: 12,
  work_experience: 5,
  employer_contacts: 3,
  financial_issues: 8,
  benefits: 8,
  housing: 7,
  health: 5,
  wellbeing: 9,
  coaching: 4,
  voluntary_work: 2,
  hobbies: 3,
  other: 3,
}
const YOUNGER: Weights<Topic> = { studies: 2.5, hobbies: 3, wellbeing: 1.5, work: 0.4, benefits: 0.2, housing: 0.3, financial_issues: 0.4 }
const OLDER: Weights<Topic> = { work: 1.3, benefits: 1.4, financial_issues: 1.3, housing: 1.2, hobbies: 0.3 }

const SERVICES: Partial<Record<Topic, Service>> = {
  studies: 'study_guidance',
  courses: 'study_guidance',
  work: 'job_search_support',
  work_experience: 'job_search_support',
  employer_contacts: 'job_search_support',
  financial_issues: 'benefits_advice',
  benefits: 'benefits_advice',
  housing: 'housing_advice',
  health: 'health_check',
  wellbeing: 'psychological_support',
  coaching: 'coaching',
}
const REFERRALS: Partial<Record<Topic, AgencyKind>> = {
  studies: 'education',
  courses: 'education',
  work: 'employment_service',
  work_experience: 'employment_service',
  financial_issues: 'social_services',
  benefits: 'social_services',
  housing: 'social_services',
  health: 'health_services',
  wellbeing: 'mental_health_services',
  hobbies: 'youth_work',
  voluntary_work: 'ngo',
}

/** mulberry32: the same demo on every machine. */
function generator(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export async function seedDemoVisits(q: Queryable, mainCentreId: string, today: string = centreToday()): Promise<number> {
  const random = generator(20260101)
  const pick = <T extends string>(weights: Weights<T>, factor: Weights<T> = {}): T => {
    const entries = Object.entries(weights).map(([key, w]) => [key, (w as number) * ((factor as Record<string, number>)[key] ?? 1)] as const)
    let r = random() * entries.reduce((s, [, w]) => s + w, 0)
    for (const [key, w] of entries) {
      r -= w
      if (r < 0) return key as T
    }
    return entries[entries.length - 1]![0] as T
  }
  const poisson = (mean: number) => {
    let n = 0
    for (let p = random(); p > Math.exp(-mean); p *= random()) n++
    return n
  }

  const second = await insertCentre(q, { name: 'Ohjaamo Demo Nokia', municipality: 'Nokia' })
  const third = await insertCentre(q, { name: 'Ohjaamo Demo Kangasala', municipality: 'Kangasala' })
  const centres = [
    { id: mainCentreId, daily: DAILY_VISITS.main },
    { id: second.id, daily: DAILY_VISITS.second },
    { id: third.id, daily: DAILY_VISITS.third },
  ]

  const end = new Date(`${today}T00:00:00Z`)
  const day = new Date(Date.UTC(end.getUTCFullYear() - 1, end.getUTCMonth(), 1))
  const visits: NewVisit[] = []
  for (; day < end; day.setUTCDate(day.getUTCDate() + 1)) {
    const month = day.getUTCMonth()
    const date = day.toISOString().slice(0, 10)
    for (const centre of centres) {
      for (let n = poisson(centre.daily * SEASON[month]! * WEEKDAY[day.getUTCDay()]!); n > 0; n--) {
        visits.push(visit(date, centre.id, month))
      }
    }
  }

  function visit(date: string, centreId: string, month: number): NewVisit {
    const ageBand = pick(AGE_BANDS)
    const schoolTerm = month !== 5 && month !== 6
    const channel = pick(CHANNELS, { school_visit: schoolTerm ? 1 : 0, event: month === 8 ? 3 : 1 })
    const factor: Record<string, number> = { ...(ageBand === 'under_15' || ageBand === '15_17' ? YOUNGER : ageBand === '25_29' ? OLDER : {}) }
    if (month >= 2 && month <= 4) factor.work_experience = (factor.work_experience ?? 1) * 2.5
    if (month === 7 || month === 8) factor.studies = (factor.studies ?? 1) * 2
    const topics = new Set<Topic>()
    for (let wanted = 1 + (random() < 0.45 ? 1 : 0) + (random() < 0.15 ? 1 : 0); topics.size < wanted; ) {
      topics.add(pick(TOPICS, factor as Weights<Topic>))
    }
    const services = new Set<Service>()
    if (random() < 0.8) services.add('guidance')
    for (const topic of topics) {
      const service = SERVICES[topic]
      if (service && random() < 0.6) services.add(service)
    }
    const referredTo = new Set<AgencyKind>()
    for (const topic of topics) {
      const kind = REFERRALS[topic]
      if (kind && random() < 0.12) referredTo.add(kind)
    }
    if (referredTo.size > 0) services.add('referral')
    return { date, centreId, channel, ageBand, topics: [...topics], services: [...services], referredTo: [...referredTo] }
  }

  for (let i = 0; i < visits.length; i += 1000) await insertVisits(q, visits.slice(i, i + 1000))
  return visits.length
}
