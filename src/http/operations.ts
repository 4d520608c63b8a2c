// What the document says about each operation: who may call it, what it needs and changes, its partner scopes.
import type { PartnerScope } from '../auth/principal.js'

export interface OperationText {
  /** Who may call it, what it needs, what it changes. */
  description: string
  /** The description of its success response. */
  success: string
  /** The partner scopes that open it to a client-credentials token (`[]`: any partner); absent: no partner. */
  scopes?: PartnerScope[]
}

const ADMIN = 'Admins only.'
const NOTHING = 'Changes nothing.'
const AUDITED = 'Each access, allowed or refused, is written to the audit trail.'
const HIDDEN = 'Without consent it answers 404, exactly as for an id that does not exist.'
const OWN = 'The young person only (their own token). Shows everything about them, in every category.'

/** Keyed by operationId. A new operation without an entry fails the lint (`operation-description`). */
export const OPERATIONS: Record<string, OperationText> = {
  getHealthLive: { description: `Anyone, no token. Answers while the process runs. ${NOTHING}`, success: 'The process is up' },
  getHealthReady: {
    description: `Anyone, no token. Answers 200 when the database answers a query, 503 with Retry-After when it does not. ${NOTHING}`,
    success: 'The database answers',
  },
  postOauthToken: {
    description:
      'Partner systems, with the client id and secret an admin registered (HTTP Basic or in the body, form-encoded or JSON). Issues a short-lived bearer token with the granted scopes; rate limited per client and per address. Errors follow RFC 6749 §5.2.',
    success: 'A bearer access token',
  },
  postAgencies: { description: `${ADMIN} Creates an agency.`, success: 'The agency created' },
  getAgencies: { description: `${ADMIN} Lists agencies, cursor-paginated. ${NOTHING}`, success: 'A page of agencies' },
  getAgenciesById: { description: `${ADMIN} ${NOTHING}`, success: 'The agency' },
  postProfessionals: {
    description: `${ADMIN} Registers a professional of an agency with the login subject their tokens carry; the subject must be unused (409).`,
    success: 'The professional created',
  },
  getProfessionals: { description: `${ADMIN} Lists professionals, cursor-paginated. ${NOTHING}`, success: 'A page of professionals' },
  getProfessionalsById: { description: `${ADMIN} ${NOTHING}`, success: 'The professional' },
  postProfessionalsByIdDeactivate: {
    description: `${ADMIN} Deactivates a professional: their tokens are refused from their next request. Takes no body.`,
    success: 'The professional, now inactive',
  },
  postCentres: { description: `${ADMIN} Creates a guidance centre, where anonymous visits are recorded.`, success: 'The centre created' },
  getCentres: { description: `Admins and professionals. Lists guidance centres, cursor-paginated. ${NOTHING}`, success: 'A page of centres' },
  getCentresById: { description: `Admins and professionals. ${NOTHING}`, success: 'The centre' },
  postPartnerClients: {
    description: `${ADMIN} Registers a partner system acting for one agency with the scopes it may ask for. The client secret is in this response only; Polku stores a hash.`,
    success: 'The partner client, with its secret (shown once)',
  },
  getPartnerClients: { description: `${ADMIN} Lists partner clients (never their secrets). ${NOTHING}`, success: 'A page of partner clients' },
  getPartnerClientsById: { description: `${ADMIN} ${NOTHING}`, success: 'The partner client' },
  postPartnerClientsByIdDisable: {
    description: `${ADMIN} Disables a partner client: its tokens are refused from their next request and no webhooks go to it. Takes no body.`,
    success: 'The partner client, now disabled',
  },
  postPartnerClientsByIdRotateSecret: {
    description: `${ADMIN} Issues a new client secret (shown once); the old one stops working at once. Takes no body.`,
    success: 'The partner client with its new secret (shown once)',
  },
  postVisits: {
    description: 'Professionals, and partners with `visits:write`. Records one anonymous visit: no identity, no free text, no recording professional. The date may not be in the future.',
    success: 'The visit recorded',
    scopes: ['visits:write'],
  },
  postVisitsBatch: {
    description: 'Professionals, and partners with `visits:write`. Records up to 1,000 anonymous visits in one transaction: all of them or none.',
    success: 'How many visits were recorded',
    scopes: ['visits:write'],
  },
  getStatsVisits: {
    description: `Professionals, admins, and partners with \`stats:read\`. Counts visits over whole ended months; counts below k are suppressed, with secondary suppression where a margin would reveal them. ${NOTHING}`,
    success: 'A protected count table',
    scopes: ['stats:read'],
  },
  getStatsPathways: {
    description: `Professionals, admins, and partners with \`stats:read\`. Counts pathways, goals and referrals across all young persons, suppressed like the visit statistics. ${NOTHING}`,
    success: 'Protected count tables',
    scopes: ['stats:read'],
  },
  postYoungPersons: {
    description:
      'Professionals. Registers a young person together with their first consent, given in person (`evidence` names the signed form). Creates the young person, the consent and its receipt; without a consent nothing is created (422).',
    success: 'The young person, with the first consent',
  },
  getYoungPersonsById: {
    description: `Consent holders (professionals, partners with \`pathway:read\`) and the young person. Identity fields only under an \`identity\` read consent. ${HIDDEN} ${AUDITED}`,
    success: 'The young person, with the fields the caller may read',
    scopes: ['pathway:read'],
  },
  getCaseload: {
    description: `Professionals and partners. The young persons who hold an active consent to the caller, filtered in the database; \`total\` counts only those. ${AUDITED}`,
    success: 'A page of the caseload',
    scopes: ['pathway:read'],
  },
  postYoungPersonsByIdConsents: {
    description:
      'The young person (digitally), or a professional holding consent who records a consent given in person (`evidence` required) for someone else. `supersedes` replaces an active consent: a new record, the old one ends. Creates a consent and its receipt and tells the grantee agency\'s partners.',
    success: 'The consent, with its receipt',
  },
  getYoungPersonsByIdConsents: {
    description: `The young person (all their consents) or a holder (the consents they hold). ${HIDDEN} ${AUDITED}`,
    success: 'A page of consents',
  },
  getConsentsById: { description: `The young person or a holder of the consent. ${HIDDEN} ${AUDITED}`, success: 'The consent, with its receipt' },
  postConsentsByIdRevoke: {
    description:
      'The young person (one call: no body, no reason), or a holder recording that the young person asked. Ends the consent: access under it stops on the very next request, and partners of the grantee agency are told to delete what they received.',
    success: 'The consent, now revoked',
  },
  postYoungPersonsByIdConsentRequests: {
    description: `Professionals who may see the young person. Asks them for a consent (grantee, categories, actions, purpose); it expires unanswered after the configured days. ${HIDDEN}`,
    success: 'The consent request, pending',
  },
  getConsentRequests: {
    description: `Professionals (the requests they asked) and young persons (the requests asked of them). ${NOTHING}`,
    success: 'A page of consent requests',
  },
  postConsentRequestsByIdApprove: {
    description:
      'The young person asked. Creates the requested consent now (optionally with an earlier end date), and releases referrals that waited for it. The body may be left out.',
    success: 'The consent request, approved, with the consent id',
  },
  postConsentRequestsByIdDecline: {
    description: 'The young person asked. Declines the request; nothing is granted. The body may be left out.',
    success: 'The consent request, declined',
  },
  getMe: { description: `${OWN} ${NOTHING}`, success: 'Your record' },
  getMeConsents: { description: `${OWN} Every consent, active or not, newest first.`, success: 'A page of your consents' },
  getMeConsentRequests: { description: `${OWN} The consent requests professionals sent.`, success: 'A page of consent requests' },
  getMeExport: { description: `${OWN} One JSON document with everything Polku holds about you (GDPR art. 15 and 20).`, success: 'Everything about you' },
  getMeTeam: { description: `${OWN} Everyone holding your active consent now.`, success: 'Your team' },
  getMePathway: { description: `${OWN} Your whole pathway.`, success: 'Your pathway' },
  getMeAccessLog: {
    description: `${OWN} Who accessed or tried to access your data, when, what and under which consent; your own accesses are left out.`,
    success: 'A page of accesses',
  },
  getMeTimeline: { description: `${OWN} Goals, steps, notes, referrals and consent events, newest first.`, success: 'A page of your timeline' },
  postYoungPersonsByIdGoals: {
    description: `Holders of \`pathway\` write consent (and write on the goal's category when it has one), and partners with \`pathway:write\`. Adds a goal to the pathway; 409 when the pathway is closed. ${HIDDEN}`,
    success: 'The goal created, with its ETag',
    scopes: ['pathway:write'],
  },
  getGoalsById: {
    description: `Holders of \`pathway\` read consent (and the goal's category), partners with \`pathway:read\`, the young person. ${HIDDEN}`,
    success: 'The goal with its steps and ETag',
    scopes: ['pathway:read'],
  },
  patchGoalsById: {
    description: `Holders of \`pathway\` write consent (and the goal's old and new category), partners with \`pathway:write\`. Needs If-Match with the goal's ETag: missing 428, stale 412. ${HIDDEN}`,
    success: 'The goal changed, with its new ETag',
    scopes: ['pathway:write'],
  },
  postGoalsByIdSteps: {
    description: `As for changing the goal. Adds a step; its owner must be on the young person's team (422). ${HIDDEN}`,
    success: 'The step created, with its ETag',
    scopes: ['pathway:write'],
  },
  getStepsById: { description: `As for reading its goal. ${HIDDEN}`, success: 'The step with its ETag', scopes: ['pathway:read'] },
  patchStepsById: {
    description: `As for changing its goal. Needs If-Match with the step's ETag: missing 428, stale 412. ${HIDDEN}`,
    success: 'The step changed, with its new ETag',
    scopes: ['pathway:write'],
  },
  postYoungPersonsByIdNotes: {
    description: `Holders of write consent on the note's category (403 without it). Notes are never edited: a correction is a new note pointing at the one it corrects. ${HIDDEN}`,
    success: 'The note created',
  },
  getYoungPersonsByIdNotes: {
    description: `Anyone who may see the young person: only notes of readable categories, filtered in the database; \`total\` counts only those. ${HIDDEN} ${AUDITED}`,
    success: 'A page of notes',
  },
  getYoungPersonsByIdTeam: { description: `Holders of \`pathway\` read consent and the young person. ${HIDDEN} ${AUDITED}`, success: 'The team' },
  getYoungPersonsByIdPathway: {
    description: `Holders of \`pathway\` read consent, partners with \`pathway:read\`, the young person; goals only in readable categories. Until first written it reads as active, empty, version 0. ${HIDDEN} ${AUDITED}`,
    success: 'The pathway, with its ETag',
    scopes: ['pathway:read'],
  },
  patchYoungPersonsByIdPathway: {
    description: `Holders of \`pathway\` write consent, partners with \`pathway:write\`. Changes status and/or summary; needs If-Match: missing 428, stale 412. ${HIDDEN}`,
    success: 'The pathway changed, with its new ETag',
    scopes: ['pathway:write'],
  },
  putYoungPersonsByIdPathway: {
    description: `As PATCH, but replaces both status and summary. Needs If-Match: missing 428, stale 412. ${HIDDEN}`,
    success: 'The pathway replaced, with its new ETag',
    scopes: ['pathway:write'],
  },
  postMeReviewItems: {
    description: 'The young person only. Asks the data protection officer about one access in their access log; creates a question the auditors see.',
    success: 'Your question, open',
  },
  getMeReviewItems: { description: `${OWN} Your questions about accesses, with their answers. ${NOTHING}`, success: 'A page of your questions' },
  getAuditReviewItems: { description: `Auditors. Young persons' questions about accesses, oldest open first. ${NOTHING}`, success: 'A page of questions' },
  postAuditReviewItemsByIdAnswer: {
    description: 'Auditors. Answers an open question; the young person reads the answer on their page. 409 when already answered.',
    success: 'The question, answered',
  },
  getAuditHead: { description: `Auditors. Every chain head and a digest; keep it outside Polku to detect a cut tail later. ${NOTHING}`, success: 'The chain heads' },
  getAuditVerify: { description: `Auditors. Recomputes every chain and names the first broken link. ${NOTHING}`, success: 'The verification result' },
  postAuditVerify: {
    description: `Auditors. Verifies every chain and that each head of a saved snapshot is still in place, catching a cut tail. ${NOTHING}`,
    success: 'The verification result',
  },
  getAuditEvents: { description: `Auditors. Audit metadata, newest first, filtered by actor, young person and time. ${NOTHING}`, success: 'A page of audit events' },
  postReferrals: {
    description:
      'Holders of `pathway` write consent, and partners with `referrals:write`. Refers the young person to an agency (and role); when nobody there holds a matching consent, the referral waits for one and the young person is asked. Tells partners of both agencies once it reaches the receiver.',
    success: 'The referral created (pending or awaiting consent)',
    scopes: ['referrals:write'],
  },
  getReferrals: {
    description: `Professionals and partners with \`referrals:read\`: referrals of young persons they hold \`pathway\` consent for, and those received with consent; filtered in the database. ${NOTHING}`,
    success: 'A page of referrals',
    scopes: ['referrals:read'],
  },
  getReferralsById: { description: `As for the list. ${HIDDEN}`, success: 'The referral', scopes: ['referrals:read'] },
  postReferralsByIdAccept: {
    description: 'The receiving side (and partners with `referrals:write`). Accepts a pending referral; 409 from any other status. The body may be left out.',
    success: 'The referral, accepted',
    scopes: ['referrals:write'],
  },
  postReferralsByIdDecline: {
    description: 'The receiving side (and partners with `referrals:write`). Declines a pending referral with a reason; 409 from any other status.',
    success: 'The referral, declined',
    scopes: ['referrals:write'],
  },
  postReferralsByIdComplete: {
    description: 'The receiving side (and partners with `referrals:write`). Completes an accepted referral with its outcome; 409 from any other status.',
    success: 'The referral, completed',
    scopes: ['referrals:write'],
  },
  postReferralsByIdWithdraw: {
    description: 'The referring professional. Withdraws a referral still awaiting consent or pending; 409 otherwise. The body may be left out.',
    success: 'The referral, withdrawn',
  },
  getYoungPersonsByIdTimeline: {
    description: `Anyone who may see the young person: goals, steps, notes, referrals and consent events they may read, newest first, cursor-paginated. ${HIDDEN} ${AUDITED}`,
    success: 'A page of the timeline',
  },
  createWebhook: {
    description: 'Partners (any scope). Registers an endpoint (https; plain http to localhost outside production) for event types. The signing secret is in this response only.',
    success: 'The endpoint, with its signing secret (shown once)',
    scopes: [],
  },
  listWebhooks: { description: `Partners: their own endpoints. ${NOTHING}`, success: 'A page of endpoints', scopes: [] },
  deleteWebhook: { description: 'Partners: one of their own endpoints. Deletes it; its pending deliveries are not sent.', success: 'Deleted', scopes: [] },
  listWebhookDeliveries: {
    description: `Partners: the delivery log of one of their endpoints (status, attempts, last error). ${NOTHING}`,
    success: 'A page of deliveries',
    scopes: [],
  },
  redeliverWebhookDelivery: {
    description: 'Partners: queues a delivered or dead-lettered event of their own endpoint again, with the same event id. Takes no body.',
    success: 'The delivery, queued again',
    scopes: [],
  },
  postYoungPersonsByIdPathwayClose: {
    description: `Professionals holding \`pathway\` write consent, and the young person themselves; not partner systems. Closes the pathway with a reason: it becomes read-only for everyone (writes answer 409) and its retention period starts; partners of consent-holding agencies get \`pathway.closed\`. ${HIDDEN} ${AUDITED}`,
    success: 'The pathway, closed',
  },
  postYoungPersonsByIdPathwayReopen: {
    description: `The young person themselves, and professionals holding a \`pathway\` write consent the young person gave after the closing; not partner systems. Reopens the pathway; partners get \`pathway.reopened\`. ${HIDDEN} ${AUDITED}`,
    success: 'The pathway, open again',
  },
  postMePathwayClose: {
    description: 'The young person only (their own token). Closes their own pathway with a reason; it becomes read-only and its retention period starts. Audited.',
    success: 'Your pathway, closed',
  },
  postMePathwayReopen: { description: 'The young person only (their own token). Reopens their closed pathway. Audited.', success: 'Your pathway, open again' },
  postMeErasureRequests: {
    description: 'The young person only (their own token). Asks for their personal data to be erased (GDPR art. 17); the data protection officer (auditor) decides. Audited.',
    success: 'The erasure request, pending',
  },
  getMeErasureRequests: {
    description: `The young person only (their own token). Their erasure requests, the state and the reason of each decision. ${NOTHING}`,
    success: 'A page of your erasure requests',
  },
  getErasureRequests: { description: `Auditors only. Erasure requests, newest first, to decide. ${NOTHING}`, success: 'A page of erasure requests' },
  postErasureRequestsByIdDecision: {
    description:
      'Auditors only. Grants (erasure runs at once, partners get `personal_data.erased`), refuses with an art. 17(3) ground and a reason, or grants in part. 409 while a legal hold is on, or when already decided. Audited.',
    success: 'The erasure request, decided',
  },
  postYoungPersonsByIdLegalHolds: {
    description: 'Auditors only. Sets a legal hold with a reason: retention and erasure stop for this young person until it is lifted. Audited.',
    success: 'The legal hold',
  },
  getYoungPersonsByIdLegalHolds: { description: `Auditors only. The legal holds of a young person, lifted or not. ${NOTHING}`, success: 'The legal holds' },
  postLegalHoldsByIdLift: { description: 'Auditors only. Lifts a legal hold, with a reason. Audited.', success: 'The legal hold, lifted' },
  getAuditErasureNotices: {
    description: `Auditors only. The \`personal_data.erased\` notices per partner endpoint, acknowledged (2xx) or not; \`unacknowledged=true\` lists those still owed. ${NOTHING}`,
    success: 'A page of erasure notices',
  },
}
