// Process entry: configuration, the app, listen, graceful shutdown. Nothing else.
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { type Config, ConfigError, loadConfig, usesPublishedSecret } from './config.js'
import { DataFolderLockedError, lockDataFolder } from './db/data-lock.js'
import { seedDemoIfEmpty } from './modules/demo/demo.seed.js'

let config: Config
try {
  config = loadConfig()
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`polku: invalid configuration: ${error.message}\n`)
    process.exit(1)
  }
  throw error
}

// One process per embedded data folder: a second one would lose its writes silently.
let unlock: () => Promise<void> = async () => {}
try {
  unlock = await lockDataFolder(config)
} catch (error) {
  if (error instanceof DataFolderLockedError) {
    process.stderr.write(`polku: ${error.message}\n`)
    process.exit(1)
  }
  throw error
}

const app = await buildApp(config)
if (usesPublishedSecret(config)) {
  app.log.warn('JWT_SECRET is the published development secret: anyone can sign tokens for this instance; never expose it beyond this machine')
}

closeWithGrace({ delay: config.shutdownGraceMs }, async ({ signal, err }) => {
  // Readiness turns 503 first, so load balancers stop sending while requests in flight finish.
  app.lifecycle.draining = true
  if (err) app.log.error({ err: { type: err.name, message: err.message } }, 'shutting down after an error')
  else app.log.info({ signal }, 'shutting down')
  await app.close()
  await unlock()
})

if (config.demoSeed && config.env !== 'production') await seedDemoIfEmpty(app)
await app.listen({ host: config.host, port: config.port })
