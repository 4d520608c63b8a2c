// Environment → typed, frozen Config. A bad value stops the process with one line naming the variable.
import { createPublicKey, type KeyObject, randomBytes } from 'node:crypto'

export const DATA_CATEGORIES = [
  'identity',
  'pathway',
  'education',
  'employment',
  'social',
  'housing',
  'finance',
  'health',
  'psychological',
] as const

export type DataCategory = (typeof DATA_CATEGORIES)[number]

/**
 * Days personal data of each category is kept after the retention start: the later of the pathway's
 * closing and the end of the young person's last consent. The controller must confirm each value.
 */
export const DEFAULT_RETENTION_DAYS: Readonly<Record<DataCategory, number>> = {
  identity: 730,
  pathway: 730,
  education: 730,
  employment: 730,
  social: 730,
  housing: 730,
  finance: 730,
  health: 365,
  psychological: 365,
}

export interface RetentionConfig {
  /** Days per data category, from RETENTION_DAYS_<CATEGORY>. */
  days: Readonly<Record<DataCategory, number>>
  /** Days audit chains of erased young persons are kept after their last event (AUDIT_RETENTION_DAYS). */
  auditDays: number
  /** Run the retention job inside the server (RETENTION_JOB). */
  job: boolean
  /** Minutes between runs of the in-process job (RETENTION_JOB_INTERVAL_MINUTES). */
  intervalMinutes: number
}

export interface JwtConfig {
  /** HS256 secret; signs CLI and partner tokens and verifies HS256 tokens. */
  secret: string | undefined
  /** PEM public key (RS256 / ES256) of an external identity provider. */
  publicKey: string | undefined
  /** JWKS URL of an external identity provider. */
  jwksUrl: string | undefined
  issuer: string
  audience: string
  clockToleranceSeconds: number
  partnerTokenTtlSeconds: number
}

/** The young person's page: OpenID Connect sign-in and the encrypted cookie session. */
export interface PageConfig {
  oidc: { issuer: string; clientId: string; clientSecret: string | undefined; redirectUri: string } | undefined
  /** 32-byte key that encrypts and signs the session cookie. */
  sessionKey: Buffer
  sessionIdleMinutes: number
  sessionMaxHours: number
}

/** Load shedding (@fastify/under-pressure): past any limit, new requests get 503 + Retry-After. 0 turns a limit off. */
export interface OverloadConfig {
  maxEventLoopDelayMs: number
  /** Event-loop utilisation, 0–1. */
  maxEventLoopUtilization: number
  /** Requests being handled at once by this instance. */
  maxConcurrentRequests: number
  retryAfterSeconds: number
}

export interface Config {
  env: 'development' | 'test' | 'production'
  host: string
  port: number
  databaseUrl: string | undefined
  /** Folder of the embedded PGlite database; `memory://` keeps it in memory. */
  dataDir: string
  dbPoolSize: number
  dbStatementTimeoutMs: number
  dbPoolWaitMs: number
  /** The longest a request may wait on the database; past it the statement is cancelled and the answer is 503. */
  requestDeadlineMs: number
  /** Server-side `idle_in_transaction_session_timeout`: a transaction its client abandoned ends by itself. */
  dbIdleInTransactionTimeoutMs: number
  /** TCP keep-alive on pool connections (client and server side), so a vanished peer is noticed. */
  dbKeepAliveSeconds: number
  /** After SIGTERM: readiness answers 503 at once; requests in flight get this long before the exit. */
  shutdownGraceMs: number
  overload: OverloadConfig
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  bodyLimitBytes: number
  jwt: JwtConfig
  rateLimitPerMinute: number
  tokenRateLimitPerMinute: number
  consentDefaultDays: number
  consentMaxDays: number
  consentRequestTtlDays: number
  referralTtlDays: number
  maxAge: number
  statsMinCell: number
  accessLogShowsNames: boolean
  webhookMaxAttempts: number
  webhookWorker: boolean
  /** Lets webhooks reach loopback and private addresses: tests and local development only, never production. */
  webhookAllowPrivateNetworks: boolean
  demoSeed: boolean
  retention: RetentionConfig
  page: PageConfig
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Env = Record<string, string | undefined>

function text(env: Env, name: string, fallback: string): string {
  const value = env[name]
  return value === undefined || value === '' ? fallback : value
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]
  return value === undefined || value === '' ? undefined : value
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`)
  const value = Number(raw)
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`)
  return value
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`)
  }
  return raw as T
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (raw === 'true' || raw === '1') return true
  if (raw === 'false' || raw === '0') return false
  throw new ConfigError(`${name} must be true or false, got "${raw}"`)
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = optional(env, name)
  if (raw === undefined) return undefined
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    throw new ConfigError(`${name} must be a URL`)
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}`)
  }
  return raw
}

/** The one algorithm a PEM public key verifies: RS256 for RSA, ES256 for P-256; anything else is refused. */
export function publicKeyAlgorithm(pem: string): 'RS256' | 'ES256' {
  if (pem.includes('PRIVATE KEY')) throw new ConfigError('JWT_PUBLIC_KEY must be a public key, never a private key')
  let key: KeyObject
  try {
    key = createPublicKey(pem)
  } catch {
    throw new ConfigError('JWT_PUBLIC_KEY must be a PEM public key')
  }
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return 'RS256'
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256'
  throw new ConfigError('JWT_PUBLIC_KEY must be an RSA (2048 bits or more) or P-256 EC public key')
}

/** With NODE_ENV=development only: sessions of a development server survive its restarts. Printed here, so known to all. */
export const PUBLISHED_DEVELOPMENT_SESSION_KEY = Buffer.from('polku-development-session-key-32').toString('hex')

function pageConfig(env: Env, production: boolean): PageConfig {
  const issuer = url(env, 'OIDC_ISSUER', production ? ['https:'] : ['https:', 'http:'])
  const clientId = optional(env, 'OIDC_CLIENT_ID')
  const redirectUri = url(env, 'OIDC_REDIRECT_URI', production ? ['https:'] : ['https:', 'http:'])
  if (issuer !== undefined && (clientId === undefined || redirectUri === undefined)) {
    throw new ConfigError('OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_REDIRECT_URI')
  }
  // The published key, like the published JWT secret, only on a developer's machine: NODE_ENV=development said out loud.
  const explicitDevelopment = env.NODE_ENV === 'development'
  const given = optional(env, 'SESSION_KEY')
  if (given === PUBLISHED_DEVELOPMENT_SESSION_KEY && !explicitDevelopment) {
    throw new ConfigError('SESSION_KEY is the published development key: it is accepted only with NODE_ENV=development')
  }
  // Elsewhere outside production a key of this process alone: sessions end when it stops.
  const rawKey = given ?? (explicitDevelopment ? PUBLISHED_DEVELOPMENT_SESSION_KEY : production ? undefined : randomBytes(32).toString('hex'))
  if (rawKey === undefined) throw new ConfigError('SESSION_KEY (64 hex characters) must be set in production')
  if (!/^[0-9a-fA-F]{64}$/.test(rawKey)) throw new ConfigError('SESSION_KEY must be 64 hex characters (32 bytes)')
  return {
    oidc: issuer && clientId && redirectUri ? { issuer, clientId, clientSecret: optional(env, 'OIDC_CLIENT_SECRET'), redirectUri } : undefined,
    sessionKey: Buffer.from(rawKey, 'hex'),
    sessionIdleMinutes: integer(env, 'SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionMaxHours: integer(env, 'SESSION_MAX_HOURS', 12, 1, 24 * 30),
  }
}

/** Printed in this source, so known to everyone: only ever for a developer's own machine. */
export const PUBLISHED_DEVELOPMENT_SECRET = 'polku-development-secret-change-me-0123456789'

/**
 * The HS256 secret. The published development secret is used (by default or when given) only with
 * NODE_ENV=development set explicitly and no external identity provider: anywhere else anyone could
 * sign tokens Polku accepts, so the process refuses to start.
 */
function jwtSecret(env: Env, externalKey: boolean, production: boolean): string | undefined {
  const given = optional(env, 'JWT_SECRET')
  const developmentOnly = env.NODE_ENV === 'development' && !externalKey
  if (given === PUBLISHED_DEVELOPMENT_SECRET && !developmentOnly) {
    throw new ConfigError('JWT_SECRET is the published development secret: it is accepted only with NODE_ENV=development and no JWT_PUBLIC_KEY or JWT_JWKS_URL')
  }
  if (given !== undefined && Buffer.byteLength(given) < 32 && production) {
    throw new ConfigError('JWT_SECRET must be at least 32 bytes in production')
  }
  if (given !== undefined || externalKey) return given
  if (developmentOnly) return PUBLISHED_DEVELOPMENT_SECRET
  throw new ConfigError(
    'JWT_SECRET (at least 32 bytes), JWT_PUBLIC_KEY or JWT_JWKS_URL must be set; only NODE_ENV=development falls back to the published development secret',
  )
}

/** A partner's webhook must never reach Polku's own network in production, whatever a test or a laptop needs. */
function privateNetworks(env: Env, production: boolean): boolean {
  const allowed = bool(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false)
  if (allowed && production) throw new ConfigError('WEBHOOK_ALLOW_PRIVATE_NETWORKS must not be true in production')
  return allowed
}

/** True when tokens signed with the secret printed in this source are accepted: worth a warning at start. */
export function usesPublishedSecret(config: Config): boolean {
  return config.jwt.secret === PUBLISHED_DEVELOPMENT_SECRET
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'test', 'production'], 'development')
  const production = nodeEnv === 'production'
  // A PEM in an env file often arrives with literal "\n" in place of line breaks.
  const publicKey = optional(env, 'JWT_PUBLIC_KEY')?.replaceAll('\\n', '\n')
  const jwksUrl = url(env, 'JWT_JWKS_URL', production ? ['https:'] : ['https:', 'http:'])
  const secret = jwtSecret(env, publicKey !== undefined || jwksUrl !== undefined, production)
  if (publicKey !== undefined) publicKeyAlgorithm(publicKey)
  if (publicKey !== undefined && jwksUrl !== undefined) {
    throw new ConfigError('Set JWT_PUBLIC_KEY or JWT_JWKS_URL, not both')
  }

  const consentMaxDays = integer(env, 'CONSENT_MAX_DAYS', 365, 1, 3650)
  const consentDefaultDays = integer(env, 'CONSENT_DEFAULT_DAYS', Math.min(365, consentMaxDays), 1, 3650)
  if (consentDefaultDays > consentMaxDays) {
    throw new ConfigError('CONSENT_DEFAULT_DAYS must not exceed CONSENT_MAX_DAYS')
  }

  const dbStatementTimeoutMs = integer(env, 'DB_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000)
  const requestDeadlineMs = integer(env, 'REQUEST_DEADLINE_MS', dbStatementTimeoutMs + 1000, 100, 600_000)
  const eluPercent = integer(env, 'OVERLOAD_MAX_EVENT_LOOP_UTILIZATION_PERCENT', 98, 0, 100)

  const config: Config = {
    env: nodeEnv,
    host: text(env, 'HOST', '127.0.0.1'),
    port: integer(env, 'PORT', 3000, 0, 65535),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: text(env, 'POLKU_DATA_DIR', './data'),
    dbPoolSize: integer(env, 'DB_POOL_SIZE', 10, 1, 500),
    dbStatementTimeoutMs,
    dbPoolWaitMs: integer(env, 'DB_POOL_WAIT_MS', 2000, 10, 60_000),
    requestDeadlineMs,
    dbIdleInTransactionTimeoutMs: integer(env, 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', Math.max(10_000, 2 * requestDeadlineMs), 100, 3_600_000),
    dbKeepAliveSeconds: integer(env, 'DB_KEEPALIVE_SECONDS', 30, 1, 7200),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 100, 600_000),
    overload: {
      maxEventLoopDelayMs: integer(env, 'OVERLOAD_MAX_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000),
      maxEventLoopUtilization: eluPercent / 100,
      maxConcurrentRequests: integer(env, 'OVERLOAD_MAX_CONCURRENT_REQUESTS', 200, 0, 100_000),
      retryAfterSeconds: integer(env, 'OVERLOAD_RETRY_AFTER_SECONDS', 2, 1, 3600),
    },
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    bodyLimitBytes: 1024 * 1024,
    jwt: {
      secret,
      publicKey,
      jwksUrl,
      issuer: text(env, 'JWT_ISSUER', 'polku'),
      audience: text(env, 'JWT_AUDIENCE', 'polku-api'),
      clockToleranceSeconds: integer(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 5, 0, 300),
      partnerTokenTtlSeconds: integer(env, 'PARTNER_TOKEN_TTL_SECONDS', 900, 60, 86_400),
    },
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    tokenRateLimitPerMinute: integer(env, 'TOKEN_RATE_LIMIT_PER_MINUTE', 20, 1, 100_000),
    consentDefaultDays,
    consentMaxDays,
    consentRequestTtlDays: integer(env, 'CONSENT_REQUEST_TTL_DAYS', 14, 1, 365),
    referralTtlDays: integer(env, 'REFERRAL_TTL_DAYS', 30, 1, 365),
    maxAge: integer(env, 'POLKU_MAX_AGE', 30, 1, 120),
    statsMinCell: integer(env, 'STATS_MIN_CELL', 5, 2, 1000),
    accessLogShowsNames: bool(env, 'ACCESS_LOG_SHOWS_NAMES', true),
    webhookMaxAttempts: integer(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1, 50),
    webhookWorker: bool(env, 'WEBHOOK_WORKER', true),
    webhookAllowPrivateNetworks: privateNetworks(env, production),
    demoSeed: bool(env, 'POLKU_DEMO_SEED', !production),
    retention: {
      days: Object.fromEntries(
        DATA_CATEGORIES.map((c) => [c, integer(env, `RETENTION_DAYS_${c.toUpperCase()}`, DEFAULT_RETENTION_DAYS[c], 0, 36_500)]),
      ) as Record<DataCategory, number>,
      auditDays: integer(env, 'AUDIT_RETENTION_DAYS', 2190, 1, 36_500),
      job: bool(env, 'RETENTION_JOB', true),
      intervalMinutes: integer(env, 'RETENTION_JOB_INTERVAL_MINUTES', 60, 1, 10_080),
    },
    page: pageConfig(env, production),
  }
  return deepFreeze(config)
}

/** A fresh secret per process: tests sign their tokens with whatever the app's config holds. */
const TEST_SECRET = randomBytes(32).toString('base64url')

/** Config for tests and tools: defaults plus overrides, without reading the process environment. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const base = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', POLKU_DATA_DIR: 'memory://', JWT_SECRET: TEST_SECRET })
  // No load shedding unless a test asks for it: a busy test machine is not an overloaded service.
  const overload = { ...base.overload, maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0, maxConcurrentRequests: 0 }
  return deepFreeze({ ...structuredClone(base), page: base.page, webhookWorker: false, demoSeed: false, overload, retention: { ...base.retention, job: false }, ...overrides })
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}
