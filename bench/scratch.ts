// A scratch database on the server at DATABASE_URL for one benchmark, dropped after it; PGlite without one.
import postgres from 'postgres'

export async function withScratchDatabase<T>(prefix: string, run: (url: string | undefined) => Promise<T>): Promise<T> {
  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) return run(undefined)
  const name = `${prefix}_${process.pid}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${name}"`)
  try {
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    return await run(url.toString())
  } finally {
    await admin.unsafe(`drop database if exists "${name}" with (force)`)
    await admin.end({ timeout: 5 })
  }
}
