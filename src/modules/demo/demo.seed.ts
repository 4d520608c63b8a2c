// The demo centre: agencies of four kinds, one professional per main role, an admin and an auditor.
import { count } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { Database, Queryable } from '../../db/client.js'
import { accounts } from '../../db/schema/index.js'
import type { ProfessionalRole } from '../../db/schema/index.js'
import { insertAgency, insertCentre, insertProfessional } from '../registry/registry.queries.js'

export interface DemoAccount {
  subject: string
  kind: 'admin' | 'auditor' | 'professional'
  description: string
}

const DEMO_PROFESSIONALS: { subject: string; role: ProfessionalRole; displayName: string; agency: number }[] = [
  { subject: 'demo-youth-counsellor', role: 'youth_counsellor', displayName: 'Aino Virtanen', agency: 0 },
  { subject: 'demo-social-worker', role: 'social_worker', displayName: 'Mikko Korhonen', agency: 1 },
  { subject: 'demo-nurse', role: 'nurse', displayName: 'Laura Mäkinen', agency: 2 },
  { subject: 'demo-psychologist', role: 'psychologist', displayName: 'Jussi Nieminen', agency: 2 },
  { subject: 'demo-study-counsellor', role: 'study_counsellor', displayName: 'Sanna Heikkinen', agency: 3 },
  { subject: 'demo-outreach-worker', role: 'outreach_worker', displayName: 'Teemu Koskinen', agency: 0 },
]

export async function createAccount(q: Queryable, kind: 'admin' | 'auditor', subject: string) {
  const [row] = await q.insert(accounts).values({ kind, subject }).returning({ id: accounts.id })
  return row!
}

export async function seedDemo(database: Database): Promise<DemoAccount[]> {
  return database.transaction(async (tx) => {
    const centre = await insertCentre(tx, { name: 'Ohjaamo Demo', municipality: 'Tampere' })
    const agencies = [
      await insertAgency(tx, { name: 'Employment Services (demo)', kind: 'employment_service' }),
      await insertAgency(tx, { name: 'Municipal Social Services (demo)', kind: 'social_services' }),
      await insertAgency(tx, { name: 'Youth Health Services (demo)', kind: 'health_services' }),
      await insertAgency(tx, { name: 'Vocational College (demo)', kind: 'education' }),
    ]
    const seeded: DemoAccount[] = []
    await createAccount(tx, 'admin', 'demo-admin')
    seeded.push({ subject: 'demo-admin', kind: 'admin', description: 'administrator (registry only, no personal data)' })
    await createAccount(tx, 'auditor', 'demo-auditor')
    seeded.push({ subject: 'demo-auditor', kind: 'auditor', description: 'data protection officer (audit metadata)' })
    for (const p of DEMO_PROFESSIONALS) {
      const agency = agencies[p.agency]!
      await insertProfessional(tx, { agencyId: agency.id, role: p.role, displayName: p.displayName, subject: p.subject, centreIds: [centre.id] })
      seeded.push({ subject: p.subject, kind: 'professional', description: `${p.role} at ${agency.name}` })
    }
    return seeded
  })
}

/** On an empty embedded database outside production, `npm start` seeds the demo and says how to get tokens. */
export async function seedDemoIfEmpty(app: FastifyInstance): Promise<void> {
  const [row] = await app.database.transaction((tx) => tx.select({ n: count() }).from(accounts))
  if ((row?.n ?? 0) > 0) return
  const seeded = await seedDemo(app.database)
  app.log.info(
    { accounts: seeded.map((a) => a.subject) },
    'seeded the demo centre; mint a token with: npm run cli -- token --sub demo-youth-counsellor',
  )
}
