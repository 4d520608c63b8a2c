// Sign-in with OpenID Connect: authorization code flow with PKCE, state and nonce, through openid-client.
import type { FastifyRequest } from 'fastify'
import * as client from 'openid-client'
import type { PageConfig } from '../../config.js'

type OidcSettings = NonNullable<PageConfig['oidc']>

export interface OidcClient {
  /** Where to send the browser; the state, nonce and verifier go into the session. */
  start(request: FastifyRequest): Promise<string>
  /** The verified subject of the callback, or throws. */
  finish(request: FastifyRequest): Promise<string>
}

export function oidcClient(settings: OidcSettings, production: boolean): OidcClient {
  let discovered: Promise<client.Configuration> | undefined
  // Discovered on first use and kept; a failed discovery is retried on the next sign-in.
  const configuration = () => {
    discovered ??= client
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        undefined,
        settings.clientSecret === undefined ? client.None() : client.ClientSecretBasic(settings.clientSecret),
        production ? undefined : { execute: [client.allowInsecureRequests] },
      )
      .catch((error: unknown) => {
        discovered = undefined
        throw error
      })
    return discovered
  }
  return {
    async start(request) {
      const config = await configuration()
      const verifier = client.randomPKCECodeVerifier()
      const state = client.randomState()
      const nonce = client.randomNonce()
      request.session.set('oidc', { state, nonce, verifier })
      return client
        .buildAuthorizationUrl(config, {
          redirect_uri: settings.redirectUri,
          scope: 'openid',
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
          nonce,
        })
        .toString()
    },
    async finish(request) {
      const pending = request.session.get('oidc')
      request.session.set('oidc', undefined)
      if (!pending) throw new Error('no sign-in in progress')
      const config = await configuration()
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : ''
      const tokens = await client.authorizationCodeGrant(config, new URL(`${settings.redirectUri}${query}`), {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      })
      const subject = tokens.claims()?.sub
      if (!subject) throw new Error('the identity provider returned no subject')
      return subject
    },
  }
}
