// verifier.mjs plays the verifier side of OpenID4VP 1.0 with
// @openid4vc/openid4vp (oid4vc-ts) for Accolade's Go tests
// (wallet/oid4vp_oid4vcts_test.go): Accolade's wallet answers it.
//
// Input (stdin, JSON): {"format": "ldp_vc"|"jwt_vc_json", "responseMode":
// "direct_post"|"direct_post.jwt"}. It serves on 127.0.0.1 (a free port) a
// signed request (JAR, client_id decentralized_identifier:did:jwk:..., signed
// with a fresh P-256 key through the signJwt callback) at request_uri, and
// writes one line {"link": "openid4vp://..."}. It then takes one response at
// response_uri: the library parses it (decrypting direct_post.jwt through
// the decryptJwe callback with the key of its client_metadata.jwks) and
// validates it against the DCQL query; the script checks the presentation's
// binding (VP-JWT: signature by the holder's did:key, nonce, aud; ldp_vp:
// proof challenge and domain), answers 200, writes one line {"ok": true, ...}
// (or {"ok": false, "error"}) and exits.
import crypto from 'node:crypto'
import http from 'node:http'
import { Openid4vpVerifier } from '@openid4vc/openid4vp'
import { setGlobalConfig } from '@openid4vc/utils'
import * as jose from 'jose'

setGlobalConfig({ allowInsecureUrls: true })

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
function base58decode(s) {
  let n = 0n
  for (const c of s) n = n * 58n + BigInt(B58.indexOf(c))
  const bytes = []
  while (n > 0n) {
    bytes.unshift(Number(n % 256n))
    n /= 256n
  }
  return Uint8Array.from(bytes)
}

// ed25519DidKey returns the public JWK of an Ed25519 did:key.
function ed25519DidKey(did) {
  const raw = base58decode(did.slice('did:key:z'.length))
  if (raw.length !== 34 || raw[0] !== 0xed || raw[1] !== 0x01) throw new Error(`not an Ed25519 did:key: ${did}`)
  return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw.slice(2)).toString('base64url') }
}

async function main() {
  const chunks = []
  for await (const c of process.stdin) chunks.push(c)
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'))

  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true })
  const signJwk = await jose.exportJWK(publicKey)
  const did = 'did:jwk:' + Buffer.from(JSON.stringify(signJwk)).toString('base64url')
  const enc = await jose.generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true })
  const encJwk = { ...(await jose.exportJWK(enc.publicKey)), kid: 'enc-1', alg: 'ECDH-ES', use: 'enc' }

  const callbacks = {
    hash: (data, alg) => new Uint8Array(crypto.createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
    signJwt: async (signer, { header, payload }) => {
      const jwt = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader(header).sign(privateKey)
      return { jwt, signerJwk: signJwk }
    },
    decryptJwe: async (jwe) => {
      try {
        const { plaintext } = await jose.compactDecrypt(jwe, enc.privateKey)
        return { decrypted: true, decryptionJwk: encJwk, payload: new TextDecoder().decode(plaintext) }
      } catch {
        return { decrypted: false }
      }
    },
    verifyJwt: () => ({ verified: false }),
    encryptJwe: () => {
      throw new Error('not used')
    },
  }
  const verifier = new Openid4vpVerifier({ callbacks })

  const server = http.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${server.address().port}`
  const queryId = 'badge'
  const clientMetadata = {
    vp_formats_supported: {
      ldp_vc: { proof_type_values: ['DataIntegrityProof'], cryptosuite_values: ['eddsa-rdfc-2022'] },
      jwt_vc_json: { alg_values: ['EdDSA', 'ES256'] },
    },
  }
  if (input.responseMode === 'direct_post.jwt') {
    clientMetadata.jwks = { keys: [encJwk] }
    clientMetadata.encrypted_response_enc_values_supported = ['A256GCM']
  }
  const { authorizationRequest, authorizationRequestPayload, jar } = await verifier.createOpenId4vpAuthorizationRequest({
    authorizationRequestPayload: {
      response_type: 'vp_token',
      client_id: `decentralized_identifier:${did}`,
      response_uri: `${base}/response`,
      response_mode: input.responseMode,
      nonce: crypto.randomBytes(18).toString('base64url'),
      state: crypto.randomBytes(18).toString('base64url'),
      dcql_query: {
        credentials: [{
          id: queryId,
          format: input.format,
          meta: { type_values: [['https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential']] },
          claims: [{ path: ['credentialSubject', 'achievement', 'name'] }],
        }],
      },
      client_metadata: clientMetadata,
    },
    jar: { requestUri: `${base}/request`, jwtSigner: { method: 'did', didUrl: `${did}#0`, alg: 'ES256' }, expiresInSeconds: 300 },
  })

  const finish = (res, status, body, line) => {
    res.writeHead(status, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify(body))
    process.stdout.write(JSON.stringify(line) + '\n')
    server.close()
  }
  server.on('request', async (req, res) => {
    const chunks = []
    for await (const c of req) chunks.push(c)
    const body = Buffer.concat(chunks).toString('utf8')
    if (req.url === '/request') {
      res.writeHead(200, { 'Content-Type': 'application/oauth-authz-req+jwt' })
      res.end(jar.authorizationRequestJwt)
      return
    }
    if (req.url !== '/response' || req.method !== 'POST') {
      res.writeHead(404).end()
      return
    }
    try {
      const form = Object.fromEntries(new URLSearchParams(body))
      const parsed = await verifier.parseOpenid4vpAuthorizationResponse({ authorizationResponse: form, authorizationRequestPayload, callbacks })
      const payload = parsed.authorizationResponsePayload
      if (payload.state !== authorizationRequestPayload.state) throw new Error(`state ${payload.state}`)
      const presentations = parsed.dcql?.presentations ?? verifier.parseDcqlVpToken(payload.vp_token)
      const vp = presentations[queryId]
      const list = Array.isArray(vp) ? vp : [vp]
      if (list.length !== 1) throw new Error(`${list.length} presentations`)
      const clientId = authorizationRequestPayload.client_id
      let holder
      if (input.format === 'jwt_vc_json') {
        const { kid } = jose.decodeProtectedHeader(list[0])
        holder = kid.split('#')[0]
        const { payload: claims } = await jose.jwtVerify(list[0], await jose.importJWK(ed25519DidKey(holder), 'EdDSA'), { audience: clientId })
        if (claims.nonce !== authorizationRequestPayload.nonce || claims.iss !== holder) throw new Error('VP-JWT nonce or iss')
      } else {
        const p = list[0].proof
        if (p.challenge !== authorizationRequestPayload.nonce || p.domain !== clientId || p.proofPurpose !== 'authentication') throw new Error('ldp_vp proof binding')
        holder = list[0].holder
      }
      finish(res, 200, { redirect_uri: 'https://verifier.example/cb#response_code=' + crypto.randomBytes(16).toString('base64url') },
        { ok: true, holder, encrypted: parsed.jarm !== undefined, queryIds: Object.keys(presentations) })
    } catch (e) {
      finish(res, 400, { error: 'invalid_request' }, { ok: false, error: String(e?.errorResponse?.error_description ?? e?.message ?? e) })
    }
  })
  process.stdout.write(JSON.stringify({ link: authorizationRequest }) + '\n')
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n')
  process.exit(2)
})
