#!/usr/bin/env node
// http-fetch.mjs — fetches one URL with Digital Bazaar's @digitalbazaar/http-client,
// the HTTP client its document loaders and status-list checkers use, with its
// default Accept header ("application/ld+json, application/json") unless
// another is given, and reports what that client made of the response.
//
//   node interop/js/http-fetch.mjs URL [ACCEPT]
//
// Prints one JSON line: {"status", "contentType", "parsed": true when the
// client parsed the body as JSON (it does so only when Content-Type names
// json), "data": the parsed body or null}. A non-2xx answer prints the same
// with "error". Exit 0 when a response arrived, 2 on bad usage or no response.
import {httpClient} from '@digitalbazaar/http-client';

const [url, accept] = process.argv.slice(2);
if(!url) {
  console.error('usage: http-fetch.mjs URL [ACCEPT]');
  process.exit(2);
}
const options = accept ? {headers: {Accept: accept}} : {};
try {
  const res = await httpClient.get(url, options);
  console.log(JSON.stringify({
    status: res.status,
    contentType: res.headers.get('content-type'),
    parsed: res.data !== undefined,
    data: res.data ?? null
  }));
} catch(e) {
  if(!e.response) {
    console.log(JSON.stringify({error: String(e && e.message || e)}));
    process.exit(2);
  }
  console.log(JSON.stringify({
    status: e.status ?? e.response.status,
    contentType: e.response.headers.get('content-type'),
    parsed: e.data !== undefined,
    data: e.data ?? null,
    error: String(e.message)
  }));
}
