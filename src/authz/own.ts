// A young person's own routes (their page, their requests, their access log): who may call them.
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
