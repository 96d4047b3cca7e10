// badgepage.mjs drives a real Chromium through one of Accolade's public
// badge pages, for the Go tests (cmd/accolade TestBadgePageInChromium).
//
// Request on stdin, one JSON object:
//   {"page": "http://127.0.0.1:PORT/badges/UUID",
//    "revoke": "http://127.0.0.1:PORT/api/v1/credentials/ID/revoke",
//    "token": "admin token"}
// or {"mode": "issuer", "page": "http://127.0.0.1:PORT/issuers/SLUG"}, which
// loads an issuer page and answers {"overflowX", "images", "imagesLoaded", "dids",
// "copyButtons", "copyLabelAfterClick", "consoleErrors"}.
// It loads the page, reads the verdict banner and the links, revokes the
// credential through the admin API, presses "Verify again" and reads the
// banner again. Answer on stdout, one JSON object:
//   {"overflowX", "bannerOnLoad", "bannerAfterVerifyAgain", "checksAfter": [...],
//    "links": [...], "imagesLoaded": n, "consoleErrors": [...]}
// The browser is $ACCOLADE_CHROMIUM, else /usr/bin/chromium.
import puppeteer from 'puppeteer-core';

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) {
    chunks.push(c);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const req = await readStdin();
const browser = await puppeteer.launch({
  executablePath: process.env.ACCOLADE_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on('console', m => {
    // The VC-API answers 400 for a credential that fails a check: the
    // browser logs that response, which is expected after a revocation.
    if (m.type() === 'error' && !/status of 400/.test(m.text()) && !/favicon/.test(m.location()?.url || '')) {
      consoleErrors.push(m.text());
    }
  });
  page.on('pageerror', e => consoleErrors.push('page error: ' + e.message));
  // A phone's width: the page must not scroll sideways.
  await page.setViewport({width: 360, height: 780});
  const resp = await page.goto(req.page, {waitUntil: 'networkidle0', timeout: 20000});
  const out = {status: resp.status()};
  out.overflowX = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (req.mode === 'issuer') {
    // An issuer page: its images (drawn when the issuer's are missing or
    // unreachable) and the copy buttons copy.js adds after each DID.
    out.imagesLoaded = await page.$$eval('img', is => is.filter(i => i.complete && i.naturalWidth > 0).length);
    out.images = await page.$$eval('img', is => is.length);
    out.dids = await page.$$eval('code.did', es => es.map(e => e.textContent));
    out.copyButtons = await page.$$eval('button.copy', bs => bs.length);
    const copy = await page.$('button.copy');
    if (copy) {
      await copy.click();
      await page.waitForFunction(() => document.querySelector('button.copy').textContent !== 'Copy', {timeout: 5000}).catch(() => {});
      out.copyLabelAfterClick = await page.$eval('button.copy', b => b.textContent);
    }
    out.consoleErrors = consoleErrors;
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    out.bannerOnLoad = await page.$eval('#banner-title', e => e.textContent.trim());
    out.links = await page.$$eval('a', as => as.map(a => a.href));
    out.imagesLoaded = await page.$$eval('img', is => is.filter(i => i.complete && i.naturalWidth > 0).length);

    const r = await fetch(req.revoke, {method: 'POST', headers: {Authorization: 'Bearer ' + req.token}});
    if (r.status !== 200) {
      throw new Error(`revoke answered ${r.status}`);
    }
    const button = await page.waitForSelector('button', {timeout: 5000});
    await button.click();
    await page.waitForFunction(
      before => document.querySelector('#banner-title').textContent.trim() !== before,
      {timeout: 15000}, out.bannerOnLoad).catch(() => {});
    out.bannerAfterVerifyAgain = await page.$eval('#banner-title', e => e.textContent.trim());
    out.checksAfter = await page.$$eval('#checks li[data-check]',
      es => es.map(e => e.textContent.replace(/\s+/g, ' ').trim()));
    out.consoleErrors = consoleErrors;
    process.stdout.write(JSON.stringify(out) + '\n');
  }
} finally {
  await browser.close();
}
