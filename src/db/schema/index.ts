// The whole drizzle schema: one file per aggregate.
export * from './audit.js'
export * from './integration.js'
export * from './pathway.js'
export * from './registry.js'
export * from './retention.js'
export * from './self-service.js'
export * from './visits.js'
export * from './young-persons.js'
