// Operator commands: migrate, create admin/auditor accounts, mint development tokens, seed the demo.
import { parseArgs } from 'node:util'
import { mintToken } from './auth/tokens.js'
import { ConfigError, loadConfig } from './config.js'
import { openDatabase } from './db/client.js'
import { createAccount, seedDemo } from './modules/demo/demo.seed.js'

const USAGE = `usage: npm run cli -- <command> [options]
  migrate                         apply pending database migrations
  admin:create --sub S            create an admin account for login subject S
  auditor:create --sub S          create an auditor account for login subject S
  token --sub S [--ttl 3600]      mint a token signed with JWT_SECRET (not in production)
  demo:seed                       create the demo centre and print its accounts with tokens`

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { sub: { type: 'string' }, ttl: { type: 'string', default: '3600' } },
  })
  const command = positionals[0]
  const config = loadConfig()
  const out = (line: string) => process.stdout.write(`${line}\n`)

  switch (command) {
    case 'migrate': {
      const database = await openDatabase(config, { migrate: true })
      await database.close()
      out('migrations applied')
      return 0
    }
    case 'admin:create':
    case 'auditor:create': {
      if (!values.sub) throw new ConfigError(`${command} needs --sub`)
      const database = await openDatabase(config, { migrate: true })
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
      const database = await openDatabase(config, { migrate: true })
      try {
        const seeded = await seedDemo(database)
        for (const account of seeded) {
          out(`${account.subject}  (${account.description})`)
          out(`  ${mintToken(config.jwt, { subject: account.subject, ttlSeconds: 8 * 3600 })}`)
        }
      } finally {
        await database.close()
      }
      return 0
    }
    default:
      process.stderr.write(`${USAGE}\n`)
      return command === undefined || command === 'help' ? 0 : 2
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(`polku: ${error.message}\n`)
    else if (error && typeof error === 'object' && 'code' in error && (error as { code: unknown }).code === '23505') process.stderr.write('polku: that subject already has an account\n')
    else process.stderr.write(`polku: ${(error as Error).message ?? 'failed'}\n`)
    process.exit(1)
  },
)
