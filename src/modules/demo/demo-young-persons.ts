// Three demo young persons with lived-in records: consents (digital and in person), notes, a request, a referral, accesses.
import type { FastifyRequest } from 'fastify'
import type { Principal } from '../../auth/principal.js'
import type { Tx } from '../../db/client.js'
import type { ProfessionalRole } from '../../db/schema/registry.js'
import { recordAudit } from '../audit/audit.writer.js'
import { insertConsent, insertConsentRequest } from '../../authz/data/consents.queries.js'
import { findAccountBySubject } from '../../authz/data/link-codes.queries.js'
import { insertNote } from '../../authz/data/notes.queries.js'
import { insertReferral } from '../../authz/data/referrals.queries.js'
import { insertYoungPerson } from '../../authz/data/young-persons.queries.js'

const DAY_MS = 24 * 3600 * 1000

export interface DemoProfessional {
  id: string
  subject: string
  agencyId: string
  role: ProfessionalRole
  displayName: string
}

export const DEMO_YOUNG_PERSONS = [
  { subject: 'demo-young-aada', givenName: 'Aada', familyName: 'Laine', birthDate: '2005-03-14' },
  { subject: 'demo-young-elias', givenName: 'Elias', familyName: 'Berg', birthDate: '2003-09-02' },
  { subject: 'demo-young-noora', givenName: 'Noora', familyName: 'Salo', birthDate: '2007-01-27' },
] as const

/** The audit writer takes the acting principal and a request id from a request; a seed has only those two. */
function actingAs(principal: Principal, id: string): FastifyRequest {
  return { principal, id } as unknown as FastifyRequest
}

export async function seedDemoYoungPersons(tx: Tx, pros: Record<string, DemoProfessional>): Promise<void> {
  const counsellor = pros['demo-youth-counsellor']!
  const nurse = pros['demo-nurse']!
  const social = pros['demo-social-worker']!
  const study = pros['demo-study-counsellor']!
  const accountOf = async (p: DemoProfessional) => (await findAccountBySubject(tx, p.subject))!.id
  const principalOf = async (p: DemoProfessional): Promise<Principal> => ({
    kind: 'professional',
    accountId: await accountOf(p),
    professionalId: p.id,
    agencyId: p.agencyId,
    role: p.role,
    displayName: p.displayName,
  })
  const now = Date.now()
  for (const [index, yp] of DEMO_YOUNG_PERSONS.entries()) {
    // With the subject the record is linked at once: /my/demo-sign-in signs in as it.
    const person = await insertYoungPerson(tx, { ...yp, createdByProfessionalId: counsellor.id })
    const by = await accountOf(counsellor)
    // Intake: in person, recorded by the study counsellor for the youth counsellor (nobody records a consent for themselves).
    const intake = await insertConsent(tx, {
      youngPersonId: person.id,
      grantee: { professionalId: counsellor.id },
      categories: ['identity', 'pathway', 'education', 'employment'],
      actions: ['read', 'write'],
      purpose: 'Planning studies and work together',
      method: 'in_person',
      evidence: `OHJ-2026-${100 + index}`,
      grantedByAccountId: await accountOf(study),
      validUntil: new Date(now + 300 * DAY_MS),
    })
    // The nurses of Youth Health Services, recorded in person by the counsellor (someone other than them).
    const health = await insertConsent(tx, {
      youngPersonId: person.id,
      grantee: { agencyId: nurse.agencyId, role: 'nurse' },
      categories: ['health'],
      actions: ['read', 'write'],
      purpose: 'Health check and follow-up',
      method: 'in_person',
      evidence: `OHJ-2026-${200 + index}`,
      grantedByAccountId: by,
      validUntil: new Date(now + 180 * DAY_MS),
    })
    await insertNote(tx, { youngPersonId: person.id, category: 'education', body: 'Interested in the vocational college media programme; application in spring.', authorProfessionalId: counsellor.id, correctsId: null })
    await insertNote(tx, { youngPersonId: person.id, category: 'employment', body: 'Summer job at the library considered; CV drafted together.', authorProfessionalId: counsellor.id, correctsId: null })
    await insertNote(tx, { youngPersonId: person.id, category: 'health', body: 'Sleep has been irregular; follow-up in three weeks.', authorProfessionalId: nurse.id, correctsId: null })
    // A pending request: the social worker would like to see housing and money matters.
    await insertConsentRequest(tx, {
      youngPersonId: person.id,
      requestedByProfessionalId: social.id,
      grantee: { professionalId: social.id },
      categories: ['housing', 'finance'],
      actions: ['read'],
      purpose: 'Helping with the housing allowance application',
      expiresAt: new Date(now + 14 * DAY_MS),
    })
    await insertReferral(tx, {
      youngPersonId: person.id,
      fromProfessionalId: counsellor.id,
      toAgencyId: study.agencyId,
      toRole: 'study_counsellor',
      categories: ['education'],
      reason: 'Support with the college application',
      status: 'pending',
      consentRequestId: null,
      expiresAt: new Date(now + 30 * DAY_MS),
    })
    // Some access history: reads under the consents, and one refused attempt by the study counsellor.
    const counsellorActs = actingAs(await principalOf(counsellor), `demo-seed-${index}-1`)
    await recordAudit(tx, counsellorActs, [
      { action: 'read', resourceType: 'YoungPerson', resourceId: person.id, youngPersonId: person.id, category: 'identity', consentIds: [intake.id], outcome: 'allowed' },
      { action: 'list', resourceType: 'Note', youngPersonId: person.id, category: 'education', consentIds: [intake.id], outcome: 'allowed' },
    ])
    await recordAudit(tx, actingAs(await principalOf(nurse), `demo-seed-${index}-2`), [
      { action: 'list', resourceType: 'Note', youngPersonId: person.id, category: 'health', consentIds: [health.id], outcome: 'allowed' },
    ])
    await recordAudit(tx, actingAs(await principalOf(study), `demo-seed-${index}-3`), [
      { action: 'read', resourceType: 'YoungPerson', resourceId: person.id, youngPersonId: person.id, outcome: 'denied' },
    ])
  }
}
