// Process entry: configuration, the app, listen, graceful shutdown. Nothing else.
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { type Config, ConfigError, loadConfig, usesPublishedSecret } from './config.js'
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

const app = await buildApp(config)
if (usesPublishedSecret(config)) {
  app.log.warn('JWT_SECRET is the published development secret: anyone can sign tokens for this instance; never expose it beyond this machine')
}

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err: { type: err.name, message: err.message } }, 'shutting down after an error')
  else app.log.info({ signal }, 'shutting down')
  await app.close()
})

if (config.demoSeed && config.env !== 'production') await seedDemoIfEmpty(app)
await app.listen({ host: config.host, port: config.port })
