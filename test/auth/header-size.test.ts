// Oversized request headers (such as a huge bearer token) are refused by the HTTP server with 431, over a real socket.
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { createAdmin } from '../factories.js'
import { build } from '../helper.js'

/** Sends raw request bytes and resolves with everything the server wrote back before closing. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let received = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk) => {
      received += chunk
    })
    socket.on('end', () => resolve(received))
    socket.on('error', (error) => (received ? resolve(received) : reject(error)))
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')))
    // No half-close: the server ends the exchange (Connection: close), as a browser would see it.
    socket.write(request)
  })
}

t.test('a request header over 16 KiB gets 431 and the server keeps serving', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo

  const huge = `Bearer ${'a'.repeat(17 * 1024)}`
  const refused = await rawRequest(port, `GET /v1/agencies HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${huge}\r\nConnection: close\r\n\r\n`)
  t.match(refused, /^HTTP\/1\.1 431 /, 'status line is 431 Request Header Fields Too Large')

  const manySmall = Array.from({ length: 40 }, (_, i) => `X-Filler-${i}: ${'b'.repeat(500)}\r\n`).join('')
  const refusedToo = await rawRequest(port, `GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n${manySmall}Connection: close\r\n\r\n`)
  t.match(refusedToo, /^HTTP\/1\.1 431 /, 'many headers adding up to 20 KB count too')

  const ok = await rawRequest(port, `GET /v1/agencies HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${admin.token}\r\nConnection: close\r\n\r\n`)
  t.match(ok, /^HTTP\/1\.1 200 /, 'a normal request on the same server still succeeds')
  t.match(ok, /"items":\[\]/)
})
