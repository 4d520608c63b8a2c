// The demo centre: agencies of four kinds, one professional per main role, an admin and an auditor.
import { count, inArray } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { Database, Queryable } from '../../db/client.js'
import type { AgencyKind, ProfessionalRole } from '../../db/schema/registry.js'
import { accounts } from '../../db/schema/registry.js'
import { insertAgency, insertCentre, insertProfessional } from '../registry/registry.queries.js'
import { seedDemoVisits } from './demo-visits.js'
import { type DemoProfessional, seedDemoYoungPersons } from './demo-young-persons.js'

export interface DemoAccount {
  subject: string
  kind: 'admin' | 'auditor' | 'professional'
  description: string
}

export interface DemoSeed {
  /** False when the demo accounts were already there: nothing was written. */
  created: boolean
  accounts: DemoAccount[]
}

const DEMO_AGENCIES: { name: string; kind: AgencyKind }[] = [
  { name: 'Employment Services (demo)', kind: 'employment_service' },
  { name: 'Municipal Social Services (demo)', kind: 'social_services' },
  { name: 'Youth Health Services (demo)', kind: 'health_services' },
  { name: 'Vocational College (demo)', kind: 'education' },
]

const DEMO_PROFESSIONALS: { subject: string; role: ProfessionalRole; displayName: string; agency: number }[] = [
  { subject: 'demo-youth-counsellor', role: 'youth_counsellor', displayName: 'Aino Virtanen', agency: 0 },
  { subject: 'demo-social-worker', role: 'social_worker', displayName: 'Mikko Korhonen', agency: 1 },
  { subject: 'demo-nurse', role: 'nurse', displayName: 'Laura Mäkinen', agency: 2 },
  { subject: 'demo-psychologist', role: 'psychologist', displayName: 'Jussi Nieminen', agency: 2 },
  { subject: 'demo-study-counsellor', role: 'study_counsellor', displayName: 'Sanna Heikkinen', agency: 3 },
  { subject: 'demo-outreach-worker', role: 'outreach_worker', displayName: 'Teemu Koskinen', agency: 0 },
]

const DEMO_ACCOUNTS: DemoAccount[] = [
  { subject: 'demo-admin', kind: 'admin', description: 'administrator (registry only, no personal data)' },
  { subject: 'demo-auditor', kind: 'auditor', description: 'data protection officer (audit metadata)' },
  ...DEMO_PROFESSIONALS.map((p) => ({
    subject: p.subject,
    kind: 'professional' as const,
    description: `${p.role} at ${DEMO_AGENCIES[p.agency]!.name}`,
  })),
]

export async function createAccount(q: Queryable, kind: 'admin' | 'auditor', subject: string) {
  const [row] = await q.insert(accounts).values({ kind, subject }).returning({ id: accounts.id })
  return row!
}

/** Creates the demo centre once; run again, it writes nothing and lists the same accounts. */
export async function seedDemo(database: Database): Promise<DemoSeed> {
  return database.transaction(async (tx) => {
    const subjects = DEMO_ACCOUNTS.map((a) => a.subject)
    const [existing] = await tx.select({ n: count() }).from(accounts).where(inArray(accounts.subject, subjects))
    if ((existing?.n ?? 0) > 0) return { created: false, accounts: DEMO_ACCOUNTS }

    const centre = await insertCentre(tx, { name: 'Ohjaamo Demo', municipality: 'Tampere' })
    const agencies = []
    for (const agency of DEMO_AGENCIES) agencies.push(await insertAgency(tx, agency))
    await createAccount(tx, 'admin', 'demo-admin')
    await createAccount(tx, 'auditor', 'demo-auditor')
    const professionals: Record<string, DemoProfessional> = {}
    for (const p of DEMO_PROFESSIONALS) {
      const agencyId = agencies[p.agency]!.id
      const row = await insertProfessional(tx, { agencyId, role: p.role, displayName: p.displayName, subject: p.subject, centreIds: [centre.id] })
      professionals[p.subject] = { id: row.id, subject: p.subject, agencyId, role: p.role, displayName: p.displayName }
    }
    await seedDemoYoungPersons(tx, professionals)
    await seedDemoVisits(tx, centre.id)
    return { created: true, accounts: DEMO_ACCOUNTS }
  })
}

/** `npm start` on an empty embedded database outside production seeds the demo and says how to get tokens. */
export async function seedDemoIfEmpty(app: FastifyInstance): Promise<boolean> {
  if (app.config.env === 'production' || app.config.databaseUrl !== undefined) return false
  const [row] = await app.database.transaction((tx) => tx.select({ n: count() }).from(accounts))
  if ((row?.n ?? 0) > 0) return false
  const seeded = await seedDemo(app.database)
  app.log.info(
    { accounts: seeded.accounts.map((a) => a.subject) },
    'seeded the demo centre; get a token for any of these accounts with `npm run cli -- token --sub demo-youth-counsellor` (it needs no database, so it works while the server runs), then call the API with `Authorization: Bearer <token>`',
  )
  return true
}
