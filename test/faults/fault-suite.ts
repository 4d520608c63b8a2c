// Fault tests run on PostgreSQL only: they start servers of their own and never touch the shared one.
import { onPostgres } from '../helper.js'

/** tap options for every fault test: skipped on the embedded PGlite run. */
export const faultSuite = {
  skip: onPostgres ? false : 'fault tests need PostgreSQL: run with TEST_DATABASE_URL set (npm run test:faults)',
}
