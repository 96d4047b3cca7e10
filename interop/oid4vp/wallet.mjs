// wallet.mjs plays the wallet side of OpenID4VP 1.0 with @openid4vc/openid4vp
// (oid4vc-ts, the library of Credo-based wallets) against a verifier, for
// Accolade's Go tests (api/oid4vp_interop_test.go).
//
// Input (stdin, JSON): {"link": "openid4vp://...", "walletMetadata": bool,
// "vpToken": {...}}. The link is parsed and resolved by the library: the
// request object is fetched from request_uri (POST with wallet metadata when
// the link says request_uri_method=post and walletMetadata is set) and its
// signature checked through the verifyJwt callback below, which resolves
// did:key (Ed25519) and did:jwk itself. With vpToken, the library builds the
// authorization response (encrypted with the encryptJwe callback for
// direct_post.jwt) and submits it to response_uri.
//
// Output (stdout, JSON): {"ok": true, "resolved": {...}, "submitted": {status,
// body}} or {"ok": false, "error", "error_description"} when the library
// refused the request. Exit status 0 either way; 2 on a harness failure.
import crypto from 'node:crypto'
import { Openid4vpClient } from '@openid4vc/openid4vp'
import { setGlobalConfig } from '@openid4vc/utils'
import * as jose from 'jose'

// The Go tests serve the verifier on http://127.0.0.1.
setGlobalConfig({ allowInsecureUrls: true })

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
function base58decode(s) {
  let n = 0n
  for (const c of s) {
    const i = B58.indexOf(c)
    if (i < 0) throw new Error('bad base58')
    n = n * 58n + BigInt(i)
  }
  const bytes = []
  while (n > 0n) {
    bytes.unshift(Number(n % 256n))
    n /= 256n
  }
  for (const c of s) {
    if (c !== '1') break
    bytes.unshift(0)
  }
  return Uint8Array.from(bytes)
}

// resolveKey returns the public JWK a DID URL names: did:key Ed25519
// (multicodec 0xed01, fragment = the multibase value) or did:jwk (#0).
function resolveKey(didUrl) {
  const [did, fragment] = didUrl.split('#')
  if (did.startsWith('did:key:z')) {
    const mb = did.slice('did:key:'.length)
    if (fragment !== mb) throw new Error(`did:key verification method must be #${mb}`)
    const raw = base58decode(mb.slice(1))
    if (raw.length !== 34 || raw[0] !== 0xed || raw[1] !== 0x01) throw new Error('only Ed25519 did:key is handled')
    return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw.slice(2)).toString('base64url') }
  }
  if (did.startsWith('did:jwk:')) {
    if (fragment !== '0') throw new Error('did:jwk verification method must be #0')
    return JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url').toString('utf8'))
  }
  throw new Error(`cannot resolve ${did}`)
}

const callbacks = {
  fetch,
  hash: (data, alg) => new Uint8Array(crypto.createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
  generateRandom: (n) => new Uint8Array(crypto.randomBytes(n)),
  verifyJwt: async (signer, jwt) => {
    let jwk
    if (signer.method === 'did') jwk = resolveKey(signer.didUrl)
    else if (signer.method === 'jwk') jwk = signer.publicJwk
    else return { verified: false }
    try {
      await jose.compactVerify(jwt.compact, await jose.importJWK(jwk, jwt.header.alg))
      return { verified: true, signerJwk: jwk }
    } catch {
      return { verified: false, signerJwk: jwk }
    }
  },
  encryptJwe: async (encryptor, data) => {
    const header = { alg: encryptor.alg, enc: encryptor.enc }
    if (encryptor.publicJwk.kid) header.kid = encryptor.publicJwk.kid
    if (encryptor.apu) header.apu = encryptor.apu
    if (encryptor.apv) header.apv = encryptor.apv
    const jwe = await new jose.CompactEncrypt(new TextEncoder().encode(data))
      .setProtectedHeader(header)
      .encrypt(await jose.importJWK(encryptor.publicJwk, encryptor.alg))
    return { encryptionJwk: encryptor.publicJwk, jwe }
  },
  signJwt: () => {
    throw new Error('the harness signs nothing')
  },
  decryptJwe: () => {
    throw new Error('the harness decrypts nothing')
  },
}

const walletMetadata = {
  vp_formats_supported: { ldp_vc: { proof_type_values: ['DataIntegrityProof'] }, jwt_vc_json: { alg_values: ['EdDSA', 'ES256'] } },
  client_id_prefixes_supported: ['decentralized_identifier', 'redirect_uri'],
  request_object_signing_alg_values_supported: ['EdDSA', 'ES256'],
}

async function main() {
  const chunks = []
  for await (const c of process.stdin) chunks.push(c)
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const client = new Openid4vpClient({ callbacks })
  let resolved
  try {
    const parsed = client.parseOpenid4vpAuthorizationRequest({ authorizationRequest: input.link })
    resolved = await client.resolveOpenId4vpAuthorizationRequest({
      authorizationRequestPayload: parsed.params,
      wallet: input.walletMetadata ? { metadata: walletMetadata } : undefined,
    })
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, error: e.errorResponse?.error ?? e.name, error_description: e.errorResponse?.error_description ?? e.message }))
    return
  }
  const p = resolved.authorizationRequestPayload
  const out = {
    ok: true,
    resolved: {
      version: resolved.version,
      clientIdPrefix: resolved.client.prefix,
      clientId: resolved.client.effective,
      didUrl: resolved.client.didUrl,
      sendBy: resolved.jar?.sendBy,
      signed: resolved.jar !== undefined,
      responseMode: p.response_mode,
      responseUri: p.response_uri,
      nonce: p.nonce,
      state: p.state,
      dcql: resolved.dcql?.query,
    },
  }
  if (input.vpToken) {
    const response = await client.createOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: p,
      authorizationResponsePayload: { vp_token: input.vpToken },
      jarm: p.response_mode === 'direct_post.jwt'
        ? {
            encryption: { nonce: crypto.randomBytes(16).toString('base64url') },
            serverMetadata: {
              authorization_signing_alg_values_supported: [],
              authorization_encryption_alg_values_supported: ['ECDH-ES'],
              authorization_encryption_enc_values_supported: ['A256GCM', 'A128GCM'],
            },
          }
        : undefined,
    })
    const submitted = await client.submitOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: p,
      authorizationResponsePayload: response.authorizationResponsePayload,
      jarm: response.jarm ? { responseJwt: response.jarm.responseJwt } : undefined,
    })
    out.submitted = { responseMode: submitted.responseMode, status: submitted.response.status, body: await submitted.response.text() }
  }
  process.stdout.write(JSON.stringify(out))
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n')
  process.exit(2)
})
