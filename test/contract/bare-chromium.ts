// A headless Chromium driven over its DevTools pipe with only the domains a timing needs: what a reader's browser does.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'

/**
 * Why not Playwright for the times: it enables the DevTools Runtime domain on every page, and with it
 * V8 records a stack trace with line and column for every Error the page creates. Swagger UI's bundle
 * creates some while it loads, inside functions that span most of its 1.7 MB, so V8 parses them again
 * for their source positions: on a 2-core machine that adds about a second to the page's main thread
 * that a reader's browser, without DevTools open, never spends. Here only Page (to add the timing
 * script) and Performance are enabled; the marks are read with Runtime.evaluate.
 */

export interface ColdLoad {
  /** From navigation to the first animation frame once an operation of the document is in the page. */
  firstOperationMs: number
  /** The page's main-thread task time up to about then (Performance.getMetrics TaskDuration). */
  mainThreadMs: number
}

export interface BareChromium {
  /** Opens `url` in a fresh browser context (no cache, no cookies); `document` answers /docs/json instead of the server. */
  coldLoad(url: string, options?: { document?: string; timeoutMs?: number }): Promise<ColdLoad>
  close(): Promise<void>
}

/** Marks the first operation of the document in the DOM (not a webhook), then the frame that paints it. */
const FIRST_OPERATION_MARKS = `(function () {
  new MutationObserver(function (_mutations, observer) {
    if (!document.querySelector('.opblock-tag-section .opblock')) return
    observer.disconnect()
    requestAnimationFrame(function () { performance.mark('first-operation-frame') })
  }).observe(document, { childList: true, subtree: true })
})()`

type Message = { id?: number; method?: string; params?: Record<string, unknown>; sessionId?: string; result?: unknown; error?: { message: string } }

export async function launchBareChromium(executablePath: string): Promise<BareChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'polku-chromium-'))
  // The switches Playwright also passes to keep the browser's own background work (updates, sync,
  // extensions, crash reports) off the machine while the page is timed.
  const quiet = [
    '--disable-background-networking',
    '--disable-component-extensions-with-background-pages',
    '--disable-component-update',
    '--disable-default-apps',
    '--disable-dev-shm-usage',
    '--disable-extensions',
    '--disable-sync',
    '--disable-breakpad',
    '--metrics-recording-only',
    '--no-default-browser-check',
    '--password-store=basic',
    '--use-mock-keychain',
  ]
  const args = ['--headless', '--no-sandbox', '--no-first-run', ...quiet, '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank']
  const browser: ChildProcess = spawn(executablePath, args, { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true })
  const exited = new Promise((resolve) => browser.once('exit', resolve))
  const toBrowser = browser.stdio[3] as Writable
  const fromBrowser = browser.stdio[4] as Readable

  let lastId = 0
  const replies = new Map<number, (message: Message) => void>()
  const listeners = new Set<(message: Message) => void>()
  let received = ''
  fromBrowser.on('data', (chunk: Buffer) => {
    received += chunk.toString()
    for (let end = received.indexOf('\0'); end >= 0; end = received.indexOf('\0')) {
      const message = JSON.parse(received.slice(0, end)) as Message
      received = received.slice(end + 1)
      if (message.id !== undefined) replies.get(message.id)?.(message)
      else for (const listener of listeners) listener(message)
    }
  })
  // DevTools protocol results are read field by field.
  const send = (method: string, params: object = {}, sessionId?: string): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = ++lastId
      replies.set(id, (message) => {
        replies.delete(id)
        if (message.error) reject(new Error(`${method}: ${message.error.message}`))
        else resolve(message.result)
      })
      toBrowser.write(`${JSON.stringify({ id, method, params, sessionId })}\0`)
    })

  async function coldLoad(url: string, options: { document?: string; timeoutMs?: number } = {}): Promise<ColdLoad> {
    const { browserContextId } = await send('Target.createBrowserContext')
    try {
      const { targetId } = await send('Target.createTarget', { url: 'about:blank', browserContextId })
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true })
      await send('Page.enable', {}, sessionId)
      await send('Page.addScriptToEvaluateOnNewDocument', { source: FIRST_OPERATION_MARKS }, sessionId)
      await send('Performance.enable', {}, sessionId)
      const { document } = options
      let answerDocument: ((message: Message) => void) | undefined
      if (document !== undefined) {
        await send('Fetch.enable', { patterns: [{ urlPattern: '*/docs/json' }] }, sessionId)
        answerDocument = (message) => {
          if (message.method !== 'Fetch.requestPaused' || message.sessionId !== sessionId) return
          void send(
            'Fetch.fulfillRequest',
            {
              requestId: message.params?.requestId,
              responseCode: 200,
              responseHeaders: [{ name: 'content-type', value: 'application/json' }],
              body: Buffer.from(document).toString('base64'),
            },
            sessionId,
          )
        }
        listeners.add(answerDocument)
      }
      await send('Page.navigate', { url }, sessionId)
      const deadline = Date.now() + (options.timeoutMs ?? 60_000)
      let firstOperationMs: number | undefined
      while (firstOperationMs === undefined) {
        if (Date.now() > deadline) throw new Error(`no operation of the document shown within ${options.timeoutMs ?? 60_000} ms`)
        await new Promise((resolve) => setTimeout(resolve, 50))
        const { result } = await send(
          'Runtime.evaluate',
          { expression: "performance.getEntriesByName('first-operation-frame')[0]?.startTime", returnByValue: true },
          sessionId,
        )
        if (typeof result.value === 'number') firstOperationMs = Math.round(result.value)
      }
      const { metrics } = await send('Performance.getMetrics', {}, sessionId)
      const taskSeconds = (metrics as Array<{ name: string; value: number }>).find((metric) => metric.name === 'TaskDuration')?.value
      if (answerDocument) listeners.delete(answerDocument)
      return { firstOperationMs, mainThreadMs: Math.round(1000 * (taskSeconds ?? Number.NaN)) }
    } finally {
      await send('Target.disposeBrowserContext', { browserContextId })
    }
  }

  async function close() {
    if (browser.exitCode === null && browser.pid !== undefined) process.kill(-browser.pid, 'SIGTERM')
    await exited
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }

  const started = await Promise.race([send('Browser.getVersion').then(() => true), exited.then(() => false)])
  if (!started) {
    rmSync(profile, { recursive: true, force: true })
    throw new Error(`${executablePath} exited before it answered on its DevTools pipe`)
  }
  return { coldLoad, close }
}
