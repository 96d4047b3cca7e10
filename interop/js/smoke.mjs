#!/usr/bin/env node
// smoke.mjs — checks dbvc.mjs end to end against the shared test vectors and
// re-creates interop/testdata/dbvc-signed-ob3.json (must match byte-for-byte),
// and checks Bitstring Status List revocation ("checkStatus": true).
//
//   ACCOLADE_CONTEXTS_DIR=/path/to/shared/contexts node interop/js/smoke.mjs
//
// Test data is read from $ACCOLADE_TESTDATA_DIR (default: the "testdata"
// directory beside $ACCOLADE_CONTEXTS_DIR). Prints "N passed, N failed".
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {gzipSync} from 'node:zlib';
import {createCredential, createList, decodeList} from
  '@digitalbazaar/vc-bitstring-status-list';

const here = path.dirname(fileURLToPath(import.meta.url));
const dbvc = path.join(here, 'dbvc.mjs');
const ctxDir = process.env.ACCOLADE_CONTEXTS_DIR;
if(!ctxDir) {
  console.error('ACCOLADE_CONTEXTS_DIR is not set');
  process.exit(2);
}
const td = process.env.ACCOLADE_TESTDATA_DIR ||
  path.join(path.dirname(path.resolve(ctxDir)), 'testdata');
const json = p => JSON.parse(readFileSync(path.join(td, p), 'utf8'));

function run(req) {
  const r = spawnSync(process.execPath, [dbvc], {
    input: JSON.stringify(req), encoding: 'utf8'
  });
  return {code: r.status, out: r.stdout, err: r.stderr};
}

function call(req) {
  const r = run(req);
  if(r.code !== 0) {
    throw new Error(`dbvc exit ${r.code}: ${r.out} ${r.err}`);
  }
  return JSON.parse(r.out);
}

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if(ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name} ${detail}`);
  }
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function b58hex(s) {
  let n = 0n;
  for(const c of s) {
    n = n * 58n + BigInt(B58.indexOf(c));
  }
  const h = n.toString(16);
  return h.length % 2 ? '0' + h : h;
}

// 1. W3C vc-di-eddsa vector: sign, compare, verify, tamper.
const kp = json('eddsa/keyPair.json');
const secret = b58hex(kp.privateKeyMultibase.slice(1)); // 8026 || seed
const w3cSeed = secret.slice(4);
check('W3C secret key is 0x8026 + 32 bytes',
  secret.startsWith('8026') && w3cSeed.length === 64);
const expected = json('eddsa/eddsa-rdfc-2022/signedDataInt.json');
const signed = call({op: 'sign', credential: json('eddsa/unsigned.json'),
  seed: w3cSeed, created: '2023-02-24T23:36:38Z'}).credential;
check('W3C proofValue matches',
  signed.proof.proofValue === expected.proof.proofValue,
  signed.proof.proofValue);
check('W3C signed credential equals vector (as JSON)',
  JSON.stringify(sortKeys(signed)) === JSON.stringify(sortKeys(expected)));
let r = call({op: 'verify', credential: signed, checkIssuer: false});
check('W3C verify (checkIssuer:false)', r.verified === true, r.error);
r = call({op: 'verify', credential: signed});
check('W3C verify (default) rejects issuer != did:key controller',
  r.verified === false && /issuer must match/.test(r.error), r.error);
const tampered = structuredClone(signed);
tampered.credentialSubject.alumniOf = 'The School of Tampering';
r = call({op: 'verify', credential: tampered, checkIssuer: false});
check('W3C tampered fails', r.verified === false, r.error);

// 2. 1EdTech OB 3.0 impl-guide LDP vector (https key URL).
const ob = json('ob3/ldp-test-vector/credential-signed.json');
const ctrl = {
  '@context': ['https://www.w3.org/ns/did/v1',
    'https://w3id.org/security/multikey/v1'],
  id: 'https://example.edu/issuers/565049',
  verificationMethod: [{
    id: ob.proof.verificationMethod, type: 'Multikey',
    controller: 'https://example.edu/issuers/565049',
    publicKeyMultibase: 'z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi'
  }],
  assertionMethod: [ob.proof.verificationMethod]
};
r = call({op: 'verify', credential: ob});
check('OB vector without controller document is refused',
  r.verified === false && /refuses URL/.test(r.error), r.error);
r = call({op: 'verify', credential: ob,
  documents: {'https://example.edu/issuers/565049': ctrl}});
check('OB vector verifies', r.verified === true, r.error);

// 3. committed interop vector re-creates byte-for-byte and verifies.
const vecPath = path.join(here, '..', 'testdata', 'dbvc-signed-ob3.json');
const committed = readFileSync(vecPath, 'utf8');
const obSeed = '000102030405060708090a0b0c0d0e0f' +
  '101112131415161718191a1b1c1d1e1f';
const did = 'did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd';
const basic = json('ob3/examples/basic-openbadgecredential.json');
delete basic.proof;
basic.issuer.id = did;
const obSigned = call({op: 'sign', credential: basic, seed: obSeed,
  created: '2025-01-01T00:00:00Z'}).credential;
check('dbvc-signed-ob3.json re-creates byte-for-byte',
  JSON.stringify(obSigned, null, 2) + '\n' === committed);
r = call({op: 'verify', credential: JSON.parse(committed)});
check('dbvc-signed-ob3.json verifies (default, issuer check)',
  r.verified === true, r.error);

// 4. JWS round trip with fixed test keys (RFC 8037 A.1 Ed25519 key).
const edPriv = {kty: 'OKP', crv: 'Ed25519',
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo'};
const edPub = {kty: 'OKP', crv: 'Ed25519', x: edPriv.x};
const {jwt} = call({op: 'sign-jwt', payload: {iss: did},
  header: {alg: 'EdDSA', typ: 'vc+jwt'}, privateJwk: edPriv});
r = call({op: 'verify-jwt', jwt, jwk: edPub});
check('EdDSA JWS round trip', r.verified === true && r.payload.iss === did,
  r.error);
const parts = jwt.split('.');
parts[1] = Buffer.from('{"iss":"x"}').toString('base64url');
r = call({op: 'verify-jwt', jwt: parts.join('.'), jwk: edPub});
check('EdDSA JWS tampered fails', r.verified === false, r.error);

// 5. Bitstring Status List: revoke index 42 and check DB's checkStatus sees it.
const slUrl = 'https://badges.example.org/status/1';
const slCreated = '2025-01-01T00:00:00Z';
async function statusListVC({bits = [], encodedList, seed = obSeed} = {}) {
  const list = await createList({length: 131072});
  for(const b of bits) {
    list.setStatus(b, true);
  }
  const c = await createCredential({id: slUrl, list,
    statusPurpose: 'revocation'});
  if(encodedList) {
    c.credentialSubject.encodedList = encodedList;
  }
  // issuer defaults to the signing key's did:key
  return call({op: 'sign', credential: c, seed, created: slCreated})
    .credential;
}
const entry = {
  id: `${slUrl}#42`, type: 'BitstringStatusListEntry',
  statusPurpose: 'revocation', statusListIndex: '42',
  statusListCredential: slUrl
};
const withStatus = json('ob3/examples/basic-openbadgecredential.json');
delete withStatus.proof;
withStatus.issuer.id = did;
withStatus.credentialStatus = entry;
const revocable = call({op: 'sign', credential: withStatus, seed: obSeed,
  created: slCreated}).credential;
const verifyStatus = (sl, extra = {}) => call({op: 'verify',
  credential: revocable, checkStatus: true, documents: {[slUrl]: sl},
  ...extra});
const status0 = x => x.statusResult && x.statusResult.results &&
  x.statusResult.results[0] && x.statusResult.results[0].status;

const clearSL = await statusListVC();
r = call({op: 'verify', credential: clearSL});
check('status list credential (131,072 bits) verifies on its own',
  r.verified === true, r.error);
r = verifyStatus(clearSL);
check('checkStatus: bit 42 clear -> verified',
  r.verified === true && status0(r) === false, JSON.stringify(r));
const revokedSL = await statusListVC({bits: [42]});
r = verifyStatus(revokedSL);
check('checkStatus: bit 42 set -> not verified, "revoked"',
  r.verified === false && /credential is revoked: statusListIndex 42/
    .test(r.error) && status0(r) === true, JSON.stringify(r));
r = verifyStatus(await statusListVC({bits: [41, 43]}));
check('checkStatus: bits 41 and 43 set -> index 42 still verified',
  r.verified === true && status0(r) === false, JSON.stringify(r));
// a list gzipped by node's zlib (not the library), as our Go code would:
// index 42 = byte 5, bit 0x80 >> 2 (left-most bit is index 0)
const raw = new Uint8Array(131072 / 8);
raw[5] = 0x20;
const zlibEncoded = 'u' + gzipSync(raw).toString('base64url');
r = verifyStatus(await statusListVC({encodedList: zlibEncoded}));
check('checkStatus: zlib-encoded list with byte 5 = 0x20 -> revoked',
  r.verified === false && /revoked/.test(r.error), JSON.stringify(r));
const forged = structuredClone(clearSL);
forged.credentialSubject.encodedList = revokedSL.credentialSubject.encodedList;
r = verifyStatus(forged);
check('checkStatus: status list with a broken proof is refused',
  r.verified === false &&
  /"BitstringStatusListCredential" not verified/.test(r.error), r.error);
r = verifyStatus(await statusListVC({seed: '11'.repeat(32)}));
check('checkStatus: status list from another issuer is refused',
  r.verified === false && /Issuers .* do not match/.test(r.error), r.error);
r = call({op: 'verify', credential: revocable, checkStatus: true});
check('checkStatus: status list missing from documents is refused',
  r.verified === false &&
  /Could not load "BitstringStatusListCredential"/.test(r.error), r.error);
r = call({op: 'verify', credential: revocable, skipStatusCheck: true,
  documents: {[slUrl]: revokedSL}});
check('skipStatusCheck still ignores the list (revoked verifies)',
  r.verified === true && r.statusResult === undefined, JSON.stringify(r));
const both = run({op: 'verify', credential: revocable, checkStatus: true,
  skipStatusCheck: true});
check('checkStatus + skipStatusCheck is a bad request (exit 2)',
  both.code === 2, both.out);
// shared vector made with Python gzip: bits 0, 94567, 131071 set
const vec = json('bitstring/generated-vectors.json').revocation_1bit;
const decoded = await decodeList({encodedList: vec.encodedList});
check('library decodes the shared revocation_1bit vector',
  decoded.length === vec.lengthBits && vec.checks.every(c =>
    decoded.getStatus(Number(c.statusListIndex)) === (c.status === 1)));

function sortKeys(v) {
  if(Array.isArray(v)) {
    return v.map(sortKeys);
  }
  if(v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort()
      .map(k => [k, sortKeys(v[k])]));
  }
  return v;
}

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
