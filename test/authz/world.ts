// The cast of the authorization tests: agencies, professionals, partner systems and young persons, built once per app.
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { PARTNER_SUBJECT_PREFIX } from '../../src/auth/principal.js'
import {
  type Actor,
  createAdmin,
  createAgency,
  createAuditor,
  createPartnerClient,
  createProfessional,
  createYoungPerson,
  type ProfessionalActor,
  type YoungPersonFixture,
} from '../factories.js'
import { bearer } from '../helper.js'

export interface Caller {
  id: string
  /** The token's subject: who the caller is at sign-in, on the API and on the page alike. */
  subject: string
  headers: { authorization: string }
}

export interface World {
  admin: Actor
  auditor: Actor
  /** The agency consents are granted to. */
  agencyA: { id: string }
  /** Another agency, never granted anything. */
  agencyB: { id: string }
  /** Makes every intake (in agency C); receives the consents the matrix grants to a third party. */
  intaker: ProfessionalActor
  /** Agency A, the role agency consents are narrowed to. */
  direct: ProfessionalActor
  agencyPro: ProfessionalActor
  roleMatch: ProfessionalActor
  /** Agency A, a role the narrowed consent does not name. */
  otherRole: ProfessionalActor
  otherAgency: ProfessionalActor
  /** Partner system of agency A with `pathway:read`. */
  partnerRead: Caller
  /** Partner system of agency A without any personal-data scope. */
  partnerNoScope: Caller
  /** Partner system of agency A with every personal-data scope: pathway and referrals, read and write. */
  partnerWrite: Caller
  /** Partner system of agency B (never granted anything) with `pathway:read`. */
  partnerOtherAgency: Caller
  otherYoungPerson: Caller
}

/** The role agency consents are narrowed to in the matrix. */
export const NARROWED_ROLE = 'social_worker'

export async function partnerCaller(app: FastifyInstance, admin: Actor, agencyId: string, scopes: string[]): Promise<Caller> {
  const client = await createPartnerClient(app, admin, { agencyId, scopes })
  const res = await app.inject({
    method: 'POST',
    url: '/v1/oauth/token',
    payload: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret },
  })
  if (res.statusCode !== 200) throw new Error(`partner token: ${res.statusCode} ${res.body}`)
  return { id: client.id, subject: `${PARTNER_SUBJECT_PREFIX}${client.clientId}`, headers: bearer(res.json().access_token as string) }
}

export async function buildWorld(app: FastifyInstance): Promise<World> {
  const admin = await createAdmin(app)
  const auditor = await createAuditor(app)
  const agencyA = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const agencyB = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const agencyC = await createAgency(app, admin, { name: 'Ohjaamo intake', kind: 'youth_work' })
  const intaker = await createProfessional(app, admin, { agencyId: agencyC.id, role: 'outreach_worker', displayName: 'Iida Intake' })
  const youth = await createYoungPerson(app, intaker, { withAccount: true, givenName: 'Other' })
  return {
    admin,
    auditor,
    agencyA,
    agencyB,
    intaker,
    direct: await createProfessional(app, admin, { agencyId: agencyA.id, role: 'study_counsellor', displayName: 'Dana Direct' }),
    agencyPro: await createProfessional(app, admin, { agencyId: agencyA.id, role: 'youth_counsellor', displayName: 'Aino Agency' }),
    roleMatch: await createProfessional(app, admin, { agencyId: agencyA.id, role: NARROWED_ROLE, displayName: 'Sami Social' }),
    otherRole: await createProfessional(app, admin, { agencyId: agencyA.id, role: 'nurse', displayName: 'Noora Nurse' }),
    otherAgency: await createProfessional(app, admin, { agencyId: agencyB.id, role: NARROWED_ROLE, displayName: 'Olli Other' }),
    partnerRead: await partnerCaller(app, admin, agencyA.id, ['pathway:read']),
    partnerNoScope: await partnerCaller(app, admin, agencyA.id, ['stats:read', 'visits:write']),
    partnerWrite: await partnerCaller(app, admin, agencyA.id, ['pathway:read', 'pathway:write', 'referrals:read', 'referrals:write']),
    partnerOtherAgency: await partnerCaller(app, admin, agencyB.id, ['pathway:read']),
    otherYoungPerson: youth.actor!,
  }
}

/** A fresh young person with an account, taken in by the intaker (whose intake consent is theirs alone). */
export function intake(app: FastifyInstance, world: World): Promise<YoungPersonFixture & { actor: Actor }> {
  return createYoungPerson(app, world.intaker, { withAccount: true }) as Promise<YoungPersonFixture & { actor: Actor }>
}

/** Ends a consent by the clock: consents are never edited through the API, so only time can expire one. */
export async function expireConsent(app: FastifyInstance, consentId: string): Promise<void> {
  await app.database.transaction((tx) =>
    tx.execute(sql`update consents set valid_from = now() - interval '2 days', valid_until = now() - interval '1 day' where id = ${consentId}`),
  )
}
