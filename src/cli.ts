// Operator commands: migrate, create admin/auditor accounts, mint development tokens, seed the demo.
import { parseArgs } from 'node:util'
import { PARTNER_SUBJECT_PREFIX } from './auth/principal.js'
import { mintToken } from './auth/tokens.js'
import { type Config, ConfigError, loadConfig } from './config.js'
import { type Database, type DatabaseOptions, openDatabase } from './db/client.js'
import { DataFolderLockedError, lockDataFolder } from './db/data-lock.js'
import { auditHeadCommand, auditVerifyCommand } from './modules/audit/audit.cli.js'
import { createAccount, seedDemo } from './modules/demo/demo.seed.js'
import { retentionRunCommand } from './modules/retention/retention.cli.js'

const USAGE = `usage: npm run cli -- <command> [options]
  migrate                         apply pending database migrations
  admin:create --sub S            create an admin account for login subject S
  auditor:create --sub S          create an auditor account for login subject S
  token --sub S [--ttl 3600]      mint a token signed with JWT_SECRET (not in production)
  demo:seed                       create the demo centre and print its accounts with tokens
  audit:head                      print every audit chain head as JSON, to store outside Polku
  audit:verify [--against F]      verify the audit chains (and the heads saved in F); exit 1 if broken
  retention:run [--dry-run]       erase what the retention rules make due now (--dry-run: only print it)`

/** Every command that opens the database locks an embedded data folder first (and stops when it is in use). */
async function open(config: Config, options: DatabaseOptions): Promise<Database> {
  const unlock = await lockDataFolder(config)
  const database = await openDatabase(config, options).catch(async (error: unknown) => {
    await unlock()
    throw error
  })
  return {
    ...database,
    close: async () => {
      await database.close()
      await unlock()
    },
  }
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { sub: { type: 'string' }, ttl: { type: 'string', default: '3600' }, against: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  })
  const command = positionals[0]
  const config = loadConfig()
  const out = (line: string) => process.stdout.write(`${line}\n`)

  switch (command) {
    case 'migrate': {
      const database = await open(config, { migrate: true })
      await database.close()
      out('migrations applied')
      return 0
    }
    case 'admin:create':
    case 'auditor:create': {
      if (!values.sub) throw new ConfigError(`${command} needs --sub`)
      if (values.sub.startsWith(PARTNER_SUBJECT_PREFIX)) throw new ConfigError(`subjects starting with ${PARTNER_SUBJECT_PREFIX} are reserved for partner tokens`)
      const database = await open(config, { migrate: true })
      try {
        const kind = command === 'admin:create' ? 'admin' : 'auditor'
        const account = await database.transaction((tx) => createAccount(tx, kind, values.sub!))
        out(`${kind} account ${account.id} created for subject ${values.sub}`)
      } finally {
        await database.close()
      }
      return 0
    }
    case 'token': {
      if (config.env === 'production') throw new ConfigError('token refuses to mint tokens in production')
      if (!values.sub) throw new ConfigError('token needs --sub')
      const ttl = Number(values.ttl)
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400 * 30) throw new ConfigError('--ttl must be whole seconds, at most 30 days')
      out(mintToken(config.jwt, { subject: values.sub, ttlSeconds: ttl }))
      return 0
    }
    case 'demo:seed': {
      if (config.env === 'production') throw new ConfigError('demo:seed refuses to run in production')
      const database = await open(config, { migrate: true })
      try {
        const seeded = await seedDemo(database)
        out(seeded.created ? 'demo centre created; tokens valid for 8 hours:' : 'demo centre already present; fresh tokens, valid for 8 hours:')
        for (const account of seeded.accounts) {
          out(`${account.subject}  (${account.description})`)
          out(`  ${mintToken(config.jwt, { subject: account.subject, ttlSeconds: 8 * 3600 })}`)
        }
      } finally {
        await database.close()
      }
      return 0
    }
    case 'audit:head':
    case 'audit:verify': {
      const database = await open(config, { migrate: true })
      const err = (line: string) => process.stderr.write(`${line}\n`)
      try {
        return command === 'audit:head' ? await auditHeadCommand(database, out) : await auditVerifyCommand(database, values.against, out, err)
      } finally {
        await database.close()
      }
    }
    case 'retention:run': {
      const database = await openDatabase(config, { migrate: true })
      try {
        return await retentionRunCommand(database, config.retention, values['dry-run'] === true, out)
      } finally {
        await database.close()
      }
    }
    default:
      process.stderr.write(`${USAGE}\n`)
      return command === undefined || command === 'help' ? 0 : 2
  }
}

/** The driver's unique-violation code, wherever drizzle wrapped it; the query text is never printed. */
function isUniqueViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    if ((current as { code?: unknown }).code === '23505') return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof DataFolderLockedError) process.stderr.write(`polku: ${error.message}\n`)
    else if (isUniqueViolation(error)) process.stderr.write('polku: that subject already has an account\n')
    else process.stderr.write(`polku: ${(error as Error).message ?? 'failed'}\n`)
    process.exit(1)
  },
)
