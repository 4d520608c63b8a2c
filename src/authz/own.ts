// Who a route acts for: a young person on their own routes (their page, requests, access log), a professional on a change recorded under their name.
import type { Principal } from '../auth/principal.js'
import { ForbiddenError } from '../errors.js'

export type YoungPersonPrincipal = Extract<Principal, { kind: 'young_person' }>

/** Only a young person's own token reaches these routes; their id comes from the token alone. */
export function ownYoungPerson(principal: Principal): YoungPersonPrincipal {
  if (principal.kind !== 'young_person') throw new ForbiddenError('These routes are for young persons signed in with their own account')
  return principal
}

export function ownYoungPersonId(principal: Principal): string {
  return ownYoungPerson(principal).youngPersonId
}

export type ProfessionalPrincipal = Extract<Principal, { kind: 'professional' }>

/** A change recorded under a professional's name (a referral's referrer): the rules give it to professionals alone. */
export function actingProfessional(principal: Principal): ProfessionalPrincipal {
  if (principal.kind !== 'professional') throw new ForbiddenError('Your account may not use this operation')
  return principal
}
