// The only place permissions are written: one CASL ability per request, per principal kind.
import { AbilityBuilder, buildMongoQueryMatcher, createMongoAbility, type MongoAbility, type MongoQuery } from '@casl/ability'
import { $and, $or, and, or } from '@ucast/mongo2js'
import type { Principal } from '../auth/principal.js'
import { type ConsentTerm, consentInstruction, type HeldConsent, makeConsentInterpreter } from './consent-condition.js'
import { granteesCovering } from './grantee.js'
import { PERSONAL_SUBJECTS, type PersonalSubject, type SubjectName } from './subjects.js'

export type Action = 'read' | 'write' | 'create' | 'update' | 'revoke' | 'approve' | 'receive' | 'withdraw' | 'manage' | 'close' | 'reopen' | 'decide'
export type AppAbility = MongoAbility<[Action, SubjectName | Record<string, unknown>], MongoQuery>

/** Identity fields of a young person: visible only under an `identity` read consent. */
export const IDENTITY_FIELDS = ['givenName', 'familyName', 'birthDate', 'email', 'phone'] as const
/** Fields any holder of a read consent sees: the record exists for them, nothing more. */
export const BASE_FIELDS = ['id', 'createdAt'] as const

/** Why a professional may not record an in-person consent that covers them (principle 9). */
export const SELF_GRANT_REFUSAL =
  'A consent you record in person may not cover you, your agency or your role: ask the young person (a consent request), or have another professional record their consent'

type Builder = AbilityBuilder<AppAbility>
type Conditions = Record<string, unknown>

const consent = (action: ConsentTerm['action'], category?: string): Conditions => ({
  $consent: category === undefined ? { action } : { action, category },
})

/** The receiving side sees a referral once it is out of `awaiting_consent`, under a `pathway` read consent. */
const receivable: Conditions = { storedStatus: { $ne: 'awaiting_consent' }, ...consent('read', 'pathway') }

/** A goal with its own category (a step: its goal's) needs that category too; one without needs `pathway` alone. */
const goalConsent = (action: ConsentTerm['action'], field: string): Conditions => ({
  $and: [consent(action, 'pathway'), { $or: [{ [field]: null }, { $consent: { action, categoryField: field } }] }],
})

/** Pathway records a consent-holder (professional or partner) may read or write. */
function pathwayRules({ can }: Builder, action: 'read' | 'write'): void {
  can(action, 'Pathway', consent(action, 'pathway'))
  can(action, 'Goal', goalConsent(action, 'category'))
  can(action, 'Step', goalConsent(action, 'goalCategory'))
}

function professionalRules(builder: Builder, p: Extract<Principal, { kind: 'professional' }>): void {
  const { can, cannot } = builder
  const holds = granteesCovering(p)
  const receiving = { toAgencyId: p.agencyId, $or: [{ toRole: null }, { toRole: p.role }] }

  can('create', 'YoungPerson')
  can('read', 'YoungPerson', [...BASE_FIELDS], consent('read'))
  can('read', 'YoungPerson', [...IDENTITY_FIELDS], consent('read', 'identity'))

  // A consent record names the young person and their purpose: only while the caller still holds an active one.
  can('read', 'Consent', { $or: holds, ...consent('read') })
  // Recording a consent given in person: only for someone else. The intake's first consent is recorded by intake, not under this rule.
  can('create', 'Consent', consent('read'))
  cannot('create', 'Consent', { $or: holds }).because(SELF_GRANT_REFUSAL)
  // Withdrawal is as easy as granting: any holder of a consent for the young person records it, for any of their consents.
  can('revoke', 'Consent', consent('read'))
  can('revoke', 'Consent', consent('write'))
  can('create', 'ConsentRequest', consent('read'))
  can('read', 'ConsentRequest', { requestedByProfessionalId: p.professionalId })

  pathwayRules(builder, 'read')
  pathwayRules(builder, 'write')
  // Closing needs pathway write; reopening also a consent given after the closing (checked against the consent's date).
  can(['close', 'reopen'], 'Pathway', consent('write', 'pathway'))
  can('read', 'Note', { $consent: { action: 'read', categoryField: 'category' } })
  can('write', 'Note', { $consent: { action: 'write', categoryField: 'category' } })

  can('read', 'Referral', consent('read', 'pathway'))
  can('read', 'Referral', { ...receiving, ...receivable })
  can('create', 'Referral', consent('write', 'pathway'))
  can('withdraw', 'Referral', { fromProfessionalId: p.professionalId })
  can('receive', 'Referral', { ...receiving, ...receivable })

  can('create', 'Visit')
  can('read', ['Stats', 'Agency', 'Centre', 'Caseload'])
}

function partnerRules(builder: Builder, p: Extract<Principal, { kind: 'partner' }>): void {
  const { can } = builder
  const scopes = new Set(p.scopes)
  const receiving = { toAgencyId: p.agencyId, toRole: null }
  if (scopes.has('pathway:read')) {
    can('read', 'YoungPerson', [...BASE_FIELDS], consent('read'))
    pathwayRules(builder, 'read')
  }
  if (scopes.has('pathway:write')) pathwayRules(builder, 'write')
  if (scopes.has('referrals:read')) {
    can('read', 'Referral', consent('read', 'pathway'))
    can('read', 'Referral', { ...receiving, ...receivable })
  }
  // Partner systems receive referrals (accept, decline, complete); making one is for professionals only.
  if (scopes.has('referrals:write')) can('receive', 'Referral', { ...receiving, ...receivable })
  if (scopes.has('visits:write')) can('create', 'Visit')
  if (scopes.has('stats:read')) can('read', 'Stats')
  can('read', 'Caseload')
  can('manage', 'Webhook')
}

function youngPersonRules({ can }: Builder, p: Extract<Principal, { kind: 'young_person' }>): void {
  const own = { youngPersonId: p.youngPersonId }
  can('read', 'YoungPerson', { id: p.youngPersonId })
  for (const name of Object.keys(PERSONAL_SUBJECTS) as PersonalSubject[]) {
    if (name !== 'YoungPerson') can('read', name, own)
  }
  can('create', 'Consent', own)
  can('revoke', 'Consent', own)
  can('approve', 'ConsentRequest', own)
  can(['close', 'reopen'], 'Pathway', own)
  // Their own erasure requests and questions about their access log: the id comes from their token alone.
  can(['create', 'read'], ['ErasureRequest', 'ReviewItem'])
}

const RULES: Record<Principal['kind'], (builder: Builder, principal: never) => void> = {
  admin: ({ can }) => {
    can('manage', ['Agency', 'Professional', 'PartnerClient', 'Centre'])
    can('read', 'Stats')
  },
  auditor: ({ can }) => {
    can('read', 'AuditLog')
    // The data protection officer decides erasure requests and sets legal holds; neither reveals content.
    can(['read', 'decide'], 'ErasureRequest')
    can('manage', 'LegalHold')
  },
  professional: professionalRules,
  partner: partnerRules,
  young_person: youngPersonRules,
}

/** The reason a `cannot` rule gives for refusing `action` on `object`, when one refuses it. */
export function refusalReason(ability: AppAbility, action: Action, object: Record<string, unknown>): string | undefined {
  const rule = ability.relevantRuleFor(action, object)
  return rule?.inverted ? rule.reason : undefined
}

function subjectTypeOf(object: unknown): string {
  const type = (object as { __caslSubjectType__?: string } | null)?.__caslSubjectType__
  if (type === undefined) throw new TypeError('authorise rows with subject(Type, row)')
  return type
}

function youngPersonFieldOf(object: unknown): string {
  const table = PERSONAL_SUBJECTS[subjectTypeOf(object) as PersonalSubject]
  if (!table) throw new TypeError(`$consent on a non-personal subject ${subjectTypeOf(object)}`)
  return table.youngPersonField
}

/**
 * The caller's ability. `consents` are the caller's active consents loaded inside the request's
 * transaction (see `loadHeldConsents`); list queries need none, they render `$consent` as SQL.
 */
export function defineAbilityFor(principal: Principal, consents: readonly HeldConsent[] = []): AppAbility {
  const define = RULES[principal.kind]
  if (!define) throw new Error(`no permissions defined for principal kind ${String(principal.kind)}`)
  return abilityFromRules((builder) => define(builder, principal as never), consents)
}

/** An ability from the rules `define` writes, matched like every request's ability (the SQL mapper's tests build their own). */
export function abilityFromRules(define: (builder: Builder) => void, consents: readonly HeldConsent[] = []): AppAbility {
  const builder = new AbilityBuilder<AppAbility>(createMongoAbility)
  define(builder)
  return builder.build({
    conditionsMatcher: buildMongoQueryMatcher(
      { $consent: consentInstruction, $and, $or },
      { consent: makeConsentInterpreter(consents, youngPersonFieldOf), and, or },
    ),
  })
}
