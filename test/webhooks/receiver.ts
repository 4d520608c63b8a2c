// A webhook receiver on 127.0.0.1 for tests: records each request's headers and raw body, answers as told.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from '../helper.js'

export interface Received {
  path: string
  headers: IncomingHttpHeaders
  rawBody: string
}

export interface Receiver {
  url: string
  received: Received[]
  /** How the next requests are answered: a status code, or 'hang' to never answer. */
  answer: number | 'hang' | ((request: Received) => number)
  /** Resolves once `count` requests in all have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>
}

export async function startReceiver(t: Test, path = '/hooks'): Promise<Receiver> {
  const waiters: { count: number; resolve: () => void }[] = []
  const receiver: Receiver = {
    url: '',
    received: [],
    answer: 204,
    async waitFor(count, timeoutMs = 10_000) {
      if (receiver.received.length < count) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`only ${receiver.received.length} of ${count} webhook requests arrived`)), timeoutMs)
          waiters.push({
            count,
            resolve: () => {
              clearTimeout(timer)
              resolve()
            },
          })
        })
      }
      return receiver.received
    },
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request = { path: req.url ?? '', headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') }
      receiver.received.push(request)
      for (const waiter of waiters.filter((w) => receiver.received.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
      const answer = typeof receiver.answer === 'function' ? receiver.answer(request) : receiver.answer
      if (answer === 'hang') return
      res.statusCode = answer
      if (answer >= 300 && answer < 400) res.setHeader('location', 'http://127.0.0.1:9/elsewhere')
      res.end(answer >= 400 ? 'receiver error: this body must never be stored' : '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return receiver
}
