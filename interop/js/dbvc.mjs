#!/usr/bin/env node
// dbvc.mjs — interop harness around Digital Bazaar's VC stack (Data Integrity,
// eddsa-rdfc-2022) and jose (compact JWS, for VC-JWT).
//
// Reads ONE JSON request on stdin, writes ONE JSON result on stdout.
//   exit 0  request handled (including "verified": false)
//   exit 1  the operation itself failed (e.g. signing threw); stdout {"error": "..."}
//   exit 2  bad request / harness setup error;                stdout {"error": "..."}
// Anything the libraries print goes to stderr so stdout stays one JSON value.
//
// Ops (see README.md for the full shapes):
//   {"op":"verify","credential":{...},"documents":{url:doc}?,"now":"..."?,
//    "checkIssuer":true?,"skipStatusCheck":false?,"checkStatus":false?}
//   {"op":"sign","credential":{...},"seed":"<64 hex>","created":"2025-01-01T00:00:00Z",
//    "controller":"did:..."?,"verificationMethod":"did:...#..."?,"documents":{...}?}
//   {"op":"verify-jwt","jwt":"...","jwk":{...}}
//   {"op":"sign-jwt","payload":{...},"header":{...},"privateJwk":{...}}
//
// Document loader: contexts ONLY from $ACCOLADE_CONTEXTS_DIR/index.json (sha256
// re-checked), request "documents", did:key (Ed25519 only), did:web on
// localhost/127.0.0.1 only, plus jsonld-signatures' built-in security v1/v2
// contexts (used internally for framing non-DID controller documents).
// Everything else is refused; there is no network loader.
//
// Status (verify with "checkStatus":true): the checkStatus of
// @digitalbazaar/vc-bitstring-status-list loads each BitstringStatusListEntry's
// statusListCredential via the same loader (so it must be in "documents"),
// verifies it with the same suite and reads the bit. The library reports a
// set bit only as results[i].status === true (its `verified` stays true);
// this harness turns a set "revocation"/"suspension" bit into verified:false
// (see checkStatusStrict).

import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import jsigs from 'jsonld-signatures';
import * as jose from 'jose';
import {checkStatus as bslCheckStatus} from
  '@digitalbazaar/vc-bitstring-status-list';

// keep stdout clean: libraries sometimes log warnings
console.log = (...a) => console.error(...a);
console.info = (...a) => console.error(...a);
console.warn = (...a) => console.error(...a);

const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
const VC_V1 = 'https://www.w3.org/2018/credentials/v1';

class RequestError extends Error {}

// ---------------------------------------------------------------- contexts --

function loadContextIndex() {
  const dir = process.env.ACCOLADE_CONTEXTS_DIR;
  if(!dir) {
    throw new RequestError('ACCOLADE_CONTEXTS_DIR is not set');
  }
  let index;
  try {
    index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8'));
  } catch(e) {
    throw new RequestError(
      `cannot read ${path.join(dir, 'index.json')}: ${e.message}`);
  }
  const map = new Map();
  for(const [url, entry] of Object.entries(index.contexts || {})) {
    map.set(url, {file: path.join(dir, entry.file), sha256: entry.sha256});
  }
  return map;
}

function makeDocumentLoader({documents = {}} = {}) {
  if(!documents || typeof documents !== 'object' || Array.isArray(documents)) {
    throw new RequestError('"documents" must be an object {url: document}');
  }
  const contexts = loadContextIndex();
  const parsed = new Map();
  for(const url of Object.keys(documents)) {
    if(contexts.has(url)) {
      throw new RequestError(
        `"documents" must not override the pinned context ${url}`);
    }
  }

  function readContext(url) {
    if(parsed.has(url)) {
      return parsed.get(url);
    }
    const {file, sha256} = contexts.get(url);
    const bytes = readFileSync(file);
    const digest = createHash('sha256').update(bytes).digest('hex');
    if(sha256 && digest !== sha256) {
      throw new Error(`context ${url}: sha256 ${digest} != index ${sha256}`);
    }
    const doc = JSON.parse(bytes.toString('utf8'));
    parsed.set(url, doc);
    return doc;
  }

  async function load(url) {
    if(contexts.has(url)) {
      return remote(url, readContext(url));
    }
    const [base, fragment] = splitFragment(url);
    if(Object.hasOwn(documents, url)) {
      return remote(url, structuredClone(documents[url]));
    }
    if(fragment !== undefined && Object.hasOwn(documents, base)) {
      return remote(url,
        selectMethod(structuredClone(documents[base]), base, url));
    }
    if(base.startsWith('did:key:')) {
      const doc = didKeyDocument(base);
      return remote(url, fragment === undefined ?
        doc : selectMethod(doc, base, url));
    }
    if(base.startsWith('did:web:')) {
      const doc = await didWebDocument(base);
      return remote(url, fragment === undefined ?
        doc : selectMethod(doc, base, url));
    }
    throw new Error(`document loader refuses URL "${url}"`);
  }

  // built-in security v1/v2 contexts of jsonld-signatures take priority only
  // for those two URLs (not in index.json); everything else goes to `load`.
  return jsigs.extendContextLoader(load);
}

function remote(url, document) {
  return {contextUrl: null, documentUrl: url, document};
}

function splitFragment(url) {
  const i = url.indexOf('#');
  return i === -1 ? [url, undefined] : [url.slice(0, i), url.slice(i + 1)];
}

// Return the verification method `vmId` from controller document `doc`
// (found in verificationMethod or embedded in a relationship), with the
// document's @context so it can be processed as JSON-LD on its own.
function selectMethod(doc, docUrl, vmId) {
  const abs = id => (typeof id === 'string' && id.startsWith('#')) ?
    docUrl + id : id;
  const candidates = [];
  for(const key of ['verificationMethod', 'assertionMethod', 'authentication',
    'capabilityInvocation', 'capabilityDelegation', 'keyAgreement']) {
    const v = doc[key];
    for(const m of Array.isArray(v) ? v : (v ? [v] : [])) {
      if(m && typeof m === 'object') {
        candidates.push(m);
      }
    }
  }
  const vm = candidates.find(m => abs(m.id) === vmId);
  if(!vm) {
    throw new Error(`verification method "${vmId}" not found in "${docUrl}"`);
  }
  const out = {'@context': doc['@context'], ...vm, id: vmId};
  if(typeof out.controller === 'string') {
    out.controller = abs(out.controller);
  }
  return out;
}

// --------------------------------------------------------------- did:key --

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58Decode(s) {
  let n = 0n;
  for(const c of s) {
    const v = B58.indexOf(c);
    if(v < 0) {
      throw new Error(`invalid base58 character "${c}"`);
    }
    n = n * 58n + BigInt(v);
  }
  const bytes = [];
  while(n > 0n) {
    bytes.push(Number(n & 0xffn));
    n >>= 8n;
  }
  for(const c of s) {
    if(c !== '1') {
      break;
    }
    bytes.push(0);
  }
  return Uint8Array.from(bytes.reverse());
}

function didKeyDocument(did) {
  const fp = did.slice('did:key:'.length);
  if(!fp.startsWith('z')) {
    throw new Error(`did:key "${did}": multibase must be base58-btc ("z")`);
  }
  const raw = base58Decode(fp.slice(1));
  if(raw.length !== 34 || raw[0] !== 0xed || raw[1] !== 0x01) {
    throw new Error(`did:key "${did}": only Ed25519 (0xed01 + 32 bytes) ` +
      'public keys are supported');
  }
  const vmId = `${did}#${fp}`;
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id: did,
    verificationMethod: [{
      id: vmId,
      type: 'Multikey',
      controller: did,
      publicKeyMultibase: fp
    }],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityDelegation: [vmId],
    capabilityInvocation: [vmId]
  };
}

// --------------------------------------------------------------- did:web --

async function didWebDocument(did) {
  const parts = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  const host = parts[0];
  const hostname = host.replace(/:\d+$/, '');
  if(!['localhost', '127.0.0.1'].includes(hostname)) {
    throw new Error(`did:web "${did}": only localhost/127.0.0.1 are allowed`);
  }
  const p = parts.length > 1 ?
    '/' + parts.slice(1).join('/') + '/did.json' : '/.well-known/did.json';
  const url = `http://${host}${p}`;
  const res = await fetch(url, {signal: AbortSignal.timeout(5000)});
  if(!res.ok) {
    throw new Error(`did:web "${did}": GET ${url} -> HTTP ${res.status}`);
  }
  const doc = await res.json();
  if(doc.id !== did) {
    throw new Error(`did:web "${did}": document id "${doc.id}" does not match`);
  }
  return doc;
}

// ---------------------------------------------------------------- errors --

function collectErrors(x, out = [], seen = new Set()) {
  if(!x || typeof x !== 'object' || seen.has(x)) {
    return out;
  }
  seen.add(x);
  if(Array.isArray(x)) {
    x.forEach(e => collectErrors(e, out, seen));
    return out;
  }
  if(x instanceof Error || typeof x.message === 'string') {
    const nested = Array.isArray(x.errors) && x.errors.length > 0;
    // VerificationError's own message is just "Verification error(s)."
    if(!nested && x.message) {
      out.push(x.message + safeModeDetail(x));
    }
    if(nested) {
      collectErrors(x.errors, out, seen);
    }
    if(x.cause) {
      collectErrors(x.cause, out, seen);
    }
    // jsonld.js wraps loader failures as details.cause
    if(x.details && x.details.cause) {
      collectErrors(x.details.cause, out, seen);
    }
    return out;
  }
  // result objects
  for(const k of ['error', 'results', 'purposeResult', 'statusResult',
    'credentialResults', 'presentationResult']) {
    if(x[k]) {
      collectErrors(x[k], out, seen);
    }
  }
  return out;
}

// jsonld.js safe-mode errors carry the offending event (e.g. an undefined
// term that would be dropped); include it so failures are diagnosable.
function safeModeDetail(e) {
  const ev = e.details && e.details.event;
  if(!ev) {
    return '';
  }
  let d = '';
  try {
    d = ev.details ? ' ' + JSON.stringify(ev.details) : '';
  } catch {
    // ignore
  }
  return ` (${ev.code || ''}: ${ev.message || ''}${d})`;
}

function flatten(result) {
  const msgs = [...new Set(collectErrors(result))];
  // drop a message already quoted inside another one (e.g. a cause that its
  // wrapper repeats as "...; reason: <cause message>")
  return msgs.filter(m => !msgs.some(o => o !== m && o.includes(m)))
    .join('; ');
}

// ------------------------------------------------------------------- ops --

function need(req, key, type) {
  const v = req[key];
  const ok = type === 'object' ? v && typeof v === 'object' &&
    !Array.isArray(v) : typeof v === type;
  if(!ok) {
    throw new RequestError(`"${key}" must be a ${type}`);
  }
  return v;
}

function suiteForVerify() {
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
}

// statusPurpose values for which a set bit makes the credential invalid
// (W3C Bitstring Status List v1.0 statusPurpose), and the error's word.
const FAILING_PURPOSES = new Map([
  ['revocation', 'revoked'],
  ['suspension', 'suspended']
]);

// Wraps the library's checkStatus. The library answers
//   {verified: true, results: [{verified: true, credentialStatus, status}]}
// whether the bit is set or not (`verified` only means "the list credential
// was loaded, verified and decoded"); a set bit is `status: true`. A set bit
// for a revocation/suspension entry is reported here as verified:false with
// an error naming the entry. Other purposes (e.g. "message") never fail.
async function checkStatusStrict(options) {
  const result = await bslCheckStatus(options);
  if(!result.verified) {
    return result;
  }
  const messages = [];
  for(const {status, credentialStatus: cs = {}} of result.results || []) {
    const word = FAILING_PURPOSES.get(cs.statusPurpose);
    if(status === true && word) {
      messages.push(`credential is ${word}: statusListIndex ` +
        `${cs.statusListIndex} is set in BitstringStatusListCredential ` +
        `"${cs.statusListCredential}" (statusPurpose "${cs.statusPurpose}")`);
    }
  }
  if(messages.length === 0) {
    return result;
  }
  return {...result, verified: false, error: new Error(messages.join('; '))};
}

// JSON form of the (wrapped) status result: per-entry results as returned by
// the library ({verified, status, credentialStatus}), errors as strings.
function statusResultJson(sr) {
  const out = {verified: sr.verified === true};
  if(Array.isArray(sr.results)) {
    out.results = sr.results.map(({verified, status, credentialStatus}) =>
      ({verified: verified === true, status, credentialStatus}));
  }
  if(sr.error) {
    out.error = flatten(sr.error) || String(sr.error);
  }
  return out;
}

async function opVerify(req) {
  const credential = need(req, 'credential', 'object');
  if(req.checkStatus !== undefined && typeof req.checkStatus !== 'boolean') {
    throw new RequestError('"checkStatus" must be a boolean');
  }
  if(req.checkStatus === true && req.skipStatusCheck === true) {
    throw new RequestError(
      '"checkStatus" and "skipStatusCheck" cannot both be true');
  }
  const documentLoader = makeDocumentLoader({documents: req.documents});
  const options = {
    credential,
    suite: suiteForVerify(),
    documentLoader
  };
  if(req.now !== undefined) {
    options.now = need(req, 'now', 'string');
  }
  // Default (checkIssuer true) is @digitalbazaar/vc's CredentialIssuancePurpose:
  // the proof's verification method controller must equal credential.issuer.
  // checkIssuer:false uses a plain assertionMethod purpose (proof check only).
  if(req.checkIssuer === false) {
    options.purpose = new jsigs.purposes.AssertionProofPurpose();
  }
  if(req.skipStatusCheck === true) {
    options.checkStatus = async () => ({verified: true});
  }
  // vc.verifyCredential calls checkStatus(options) with the same suite and
  // documentLoader, and only when the proof verified and credentialStatus
  // is present. The list credential is verified with the library's own call
  // (default CredentialIssuancePurpose, real clock: `now` is NOT passed on).
  if(req.checkStatus === true) {
    options.checkStatus = checkStatusStrict;
  }
  const result = await vc.verifyCredential(options);
  const out = {verified: result.verified === true};
  const error = flatten(result);
  if(!out.verified) {
    out.error = error || 'verification failed';
  }
  if(req.checkStatus === true && result.statusResult) {
    out.statusResult = statusResultJson(result.statusResult);
  }
  return out;
}

function hexToBytes(hex) {
  if(!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new RequestError('"seed" must be 64 hex characters (32 bytes)');
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

async function opSign(req) {
  const credential = structuredClone(need(req, 'credential', 'object'));
  const seed = hexToBytes(need(req, 'seed', 'string'));
  const created = need(req, 'created', 'string');
  if(Number.isNaN(Date.parse(created))) {
    throw new RequestError('"created" must be an XML Schema dateTime');
  }
  const documentLoader = makeDocumentLoader({documents: req.documents});

  const probe = await Ed25519Multikey.generate({seed});
  // default controller: did:key:z6Mk...; default method id: controller#z6Mk...
  const controller = req.controller === undefined ?
    `did:key:${probe.publicKeyMultibase}` : need(req, 'controller', 'string');
  const id = req.verificationMethod === undefined ? undefined :
    need(req, 'verificationMethod', 'string');
  const keyPair = await Ed25519Multikey.generate({seed, controller, id});

  if(credential.issuer === undefined) {
    credential.issuer = controller;
  }
  // VCDM 1.1 credentials: vc.issue() would insert issuanceDate = "now";
  // use `created` instead so the output is deterministic.
  const ctx = [].concat(credential['@context'] || []);
  if(ctx[0] === VC_V1 && credential.issuanceDate === undefined) {
    credential.issuanceDate = created;
  }

  const suite = new DataIntegrityProof({
    signer: keyPair.signer(),
    date: created,
    cryptosuite: eddsaRdfc2022
  });
  // errors propagate to main(): exit 1 with the flattened message
  const signed = await vc.issue({credential, suite, documentLoader,
    now: created});
  return {credential: signed};
}

const JWS_ALGS = ['EdDSA', 'Ed25519', 'ES256'];

function defaultAlg(jwk) {
  if(jwk.alg) {
    return jwk.alg;
  }
  if(jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    return 'EdDSA';
  }
  if(jwk.kty === 'EC' && jwk.crv === 'P-256') {
    return 'ES256';
  }
  throw new RequestError('cannot infer "alg" from the JWK; set header.alg');
}

function decodePayload(bytes) {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function opVerifyJwt(req) {
  const jwt = need(req, 'jwt', 'string');
  const jwk = need(req, 'jwk', 'object');
  let header;
  try {
    header = jose.decodeProtectedHeader(jwt);
  } catch(e) {
    return {verified: false, error: `malformed JWS: ${e.message}`};
  }
  try {
    const {payload, protectedHeader} = await jose.compactVerify(
      jwt,
      async h => jose.importJWK(jwk, h.alg),
      {algorithms: JWS_ALGS});
    return {verified: true, header: protectedHeader,
      payload: decodePayload(payload)};
  } catch(e) {
    return {verified: false, header,
      error: `${e.code ? e.code + ': ' : ''}${e.message}`};
  }
}

async function opSignJwt(req) {
  const payload = req.payload;
  if(payload === undefined) {
    throw new RequestError('"payload" is required');
  }
  const privateJwk = need(req, 'privateJwk', 'object');
  if(typeof privateJwk.d !== 'string') {
    throw new RequestError('"privateJwk" must contain "d"');
  }
  const header = {...(req.header || {})};
  if(!header.alg) {
    header.alg = defaultAlg(privateJwk);
  }
  if(!JWS_ALGS.includes(header.alg)) {
    throw new RequestError(`unsupported alg "${header.alg}"`);
  }
  const key = await jose.importJWK(privateJwk, header.alg);
  const jwt = await new jose.CompactSign(
    new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header)
    .sign(key);
  return {jwt};
}

// opBench measures Digital Bazaar's in-process eddsa-rdfc-2022 sign and
// verify rates on a credential: the peer figure Accolade's issuing rate is
// compared with. {"op":"bench","credential":{...},"seconds":5}
async function opBench(req) {
  const credential = structuredClone(need(req, 'credential', 'object'));
  delete credential.proof;
  const seconds = req.seconds === undefined ? 5 : need(req, 'seconds', 'number');
  const seed = hexToBytes('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  const probe = await Ed25519Multikey.generate({seed});
  const controller = `did:key:${probe.publicKeyMultibase}`;
  credential.issuer = typeof credential.issuer === 'object' ?
    {...credential.issuer, id: controller} : controller;
  const keyPair = await Ed25519Multikey.generate({seed, controller});
  const documentLoader = makeDocumentLoader({});
  const sign = () => vc.issue({credential: structuredClone(credential), documentLoader,
    suite: new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: eddsaRdfc2022})});
  let signed = await sign(); // warms the document loader
  let n = 0;
  let start = performance.now();
  while(performance.now() - start < seconds * 1000) {
    signed = await sign();
    n++;
  }
  const signPerSecond = n / ((performance.now() - start) / 1000);
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  let verified = true;
  n = 0;
  start = performance.now();
  while(performance.now() - start < seconds * 1000) {
    const r = await vc.verifyCredential({credential: signed, suite, documentLoader,
      checkStatus: async () => ({verified: true})});
    verified = verified && r.verified;
    n++;
  }
  const verifyPerSecond = n / ((performance.now() - start) / 1000);
  return {signPerSecond: Math.round(signPerSecond), verifyPerSecond: Math.round(verifyPerSecond), verified};
}

const OPS = {
  'verify': opVerify,
  'sign': opSign,
  'verify-jwt': opVerifyJwt,
  'sign-jwt': opSignJwt,
  'bench': opBench
};

// ------------------------------------------------------------------ main --

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) {
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function emit(obj, code) {
  process.stdout.write(JSON.stringify(obj) + '\n', () => {
    process.exitCode = code;
  });
}

async function main() {
  let req;
  try {
    req = JSON.parse(await readStdin());
  } catch(e) {
    return emit({error: `request is not JSON: ${e.message}`}, 2);
  }
  if(!req || typeof req !== 'object' || !OPS[req.op]) {
    return emit({error: `unknown op ${JSON.stringify(req && req.op)}; ` +
      `expected one of ${Object.keys(OPS).join(', ')}`}, 2);
  }
  try {
    emit(await OPS[req.op](req), 0);
  } catch(e) {
    if(e instanceof RequestError) {
      return emit({error: e.message}, 2);
    }
    emit({error: flatten(e) || String(e)}, 1);
  }
}

main();
