// Names the exported schemas of every feature module, so the document shows them as components, not copies.
import * as audit from '../modules/audit/audit.schemas.js'
import * as consents from '../modules/consents/consents.schemas.js'
import * as notes from '../modules/pathway/notes.schemas.js'
import * as pathway from '../modules/pathway/pathway.schemas.js'
import * as referrals from '../modules/referrals/referrals.schemas.js'
import * as registry from '../modules/registry/registry.schemas.js'
import * as retention from '../modules/retention/retention.schemas.js'
import * as reviewItems from '../modules/review-items/review-items.schemas.js'
import * as stats from '../modules/stats/stats.schemas.js'
import * as timeline from '../modules/timeline/timeline.schemas.js'
import * as visits from '../modules/visits/visits.schemas.js'
import * as webhooks from '../modules/webhooks/webhooks.schemas.js'
import * as youngPersons from '../modules/young-persons/young-persons.schemas.js'

const MODULES = [audit, consents, notes, pathway, referrals, registry, retention, reviewItems, stats, timeline, visits, webhooks, youngPersons]

/** Schemas worth a name: objects and unions; a plain string or enum reads better inline. */
const worthNaming = (value: unknown): value is { title?: string; type?: string; anyOf?: unknown } =>
  typeof value === 'object' && value !== null && ((value as { type?: string }).type === 'object' || 'anyOf' in value)

/**
 * Gives each exported object schema its export name as `title` (a title a module set wins). Titles
 * change no validation; the document finisher turns every titled schema into a `$ref`.
 */
export function nameSchemas(): void {
  for (const module of MODULES) {
    for (const [name, value] of Object.entries(module)) {
      if (/^[A-Z]/.test(name) && worthNaming(value) && value.title === undefined) value.title = name
    }
  }
}
