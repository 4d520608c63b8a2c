// npm run bench: the audited read against the bare read, withdrawal under readers, request latency, the cost of auditing, and a 5,000-consent caseload (PGlite, or PostgreSQL at DATABASE_URL).
import { benchAudit } from './audit.js'
import { benchCaseload } from './caseload.js'
import { benchReadRatio } from './read-ratio.js'
import { benchRequests } from './requests.js'
import { benchWithdrawal } from './withdrawal.js'

const database = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'
console.log(`Polku benchmarks on ${database}\n`)

console.log('Bare read against the consent-checked, audited read (HTTP, autocannon, 10 connections):')
const ratio = await benchReadRatio()
console.table({ bare: ratio.bare, audited: ratio.audited })
console.log(`ratio audited / bare: ${ratio.ratio} (${ratio.youngPersons} young persons, ${ratio.seconds} s each)\n`)

console.log('Withdrawals while 8 professionals read the same young person (HTTP, one withdrawal at a time):')
const withdrawal = await benchWithdrawal()
console.table({ withdrawal: { p50Ms: withdrawal.p50Ms, p99Ms: withdrawal.p99Ms, maxMs: withdrawal.maxMs, failed: withdrawal.failed } })
console.log(`${withdrawal.withdrawals} withdrawals; ${withdrawal.readsAfterWithdrawal} reads started after a withdrawal answered, ${withdrawal.leaks} of them returned data\n`)

console.log('Requests through the whole stack (sequential, app.inject):')
console.table(await benchRequests())

console.log('What the audit trail costs per access:')
console.table(await benchAudit(Number(process.env.BENCH_OPS ?? 500)))

console.log('Caseload of a professional with 5,000 consents:')
const { plan, ...caseload } = await benchCaseload()
console.log(JSON.stringify(caseload, null, 2))
console.log(`\nEXPLAIN caseload page and total:\n${plan}`)
