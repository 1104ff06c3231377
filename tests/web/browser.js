// browser.js BASE TOKEN STORM.pcap XSS.pcap REPORT OUTDIR - botlens serve in headless
// Chromium (Debian's /usr/bin/chromium through puppeteer-core): log in, upload through the
// form, follow the self-refreshing run page to done, the plot loaded, spam and p2p in the
// behavior table, the flows filter narrowing the table, the XSS capture shown as text with
// no dialog and no foreign script, a behavior report's family, no upload without a token.
// Screenshots go to OUTDIR.  Ends with "browser: N passed, N failed".
'use strict';
const puppeteer = require('puppeteer-core');
const path = require('path');

const [base, token, storm, xss, report, outdir] = process.argv.slice(2);
let pass = 0, fail = 0;
function check(name, ok) {
  if (ok) pass++; else { fail++; console.log('FAIL: ' + name); }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function upload(page, file, type) {
  await page.goto(base + '/upload');
  await page.select('select[name=type]', type);
  const input = await page.$('input[type=file]');
  await input.uploadFile(file);
  await Promise.all([page.waitForNavigation(), page.click('#submit')]);
  return page.url();
}

// The run page reloads itself (meta refresh) until the job ends.
async function waitDone(page, seconds) {
  for (let i = 0; i < seconds; i++) {
    try {
      const st = await page.$eval('#status', (e) => e.textContent);
      if (/done|failed/.test(st)) return st;
    } catch (e) { /* between two loads */ }
    await sleep(1000);
  }
  return 'timeout';
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  let dialogs = 0;
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('dialog', async (d) => { dialogs++; console.log('dialog: ' + d.message()); await d.dismiss(); });
  page.setDefaultTimeout(30000);
  try {
    // log in
    await page.goto(base + '/');
    check('a visitor is sent to the login page', page.url().endsWith('/login'));
    await page.type('input[name=token]', token);
    await Promise.all([page.waitForNavigation(), page.click('#login')]);
    check('logged in: the runs list', page.url() === base + '/');

    // the storm capture through the form
    const url = await upload(page, storm, 'capture');
    check('the form leads to the run page (' + url + ')', /\/runs\/\d+/.test(url));
    const st = await waitDone(page, 300);
    check('the run reaches done (' + st + ')', /done/.test(st));
    const nw = await page.$eval('#plot', (img) => img.complete ? img.naturalWidth : 0).catch(() => 0);
    check('the plot image loaded (naturalWidth ' + nw + ')', nw > 0);
    const kinds = await page.$$eval('table.behaviors td:first-child', (tds) => tds.map((t) => t.textContent.trim()));
    check('the behavior table lists spam (' + kinds.join(' ') + ')', kinds.includes('spam'));
    check('the behavior table lists p2p', kinds.includes('p2p'));
    await page.screenshot({ path: path.join(outdir, 'run-storm.png'), fullPage: true });
    const count = async () => parseInt(await page.$eval('#flowcount', (e) => e.textContent), 10);
    const rows = async () => page.$$eval('#flowtable tr', (trs) => trs.length - 1);
    const before = await count(), rowsBefore = await rows();
    await page.select('select[name=proto]', '6');
    await page.type('input[name=port]', '25');
    await Promise.all([page.waitForNavigation(), page.click('#flowfilter-go')]);
    const after = await count();
    const protos = await page.$$eval('#flowtable tr td:nth-child(3)', (tds) => [...new Set(tds.map((t) => t.textContent))]);
    check('the flows filter narrows the table (' + before + ' -> ' + after + ')', after > 0 && after < before);
    check('only TCP port 25 rows remain (' + protos.join(',') + ')', protos.length === 1 && protos[0] === 'tcp');
    check('the table has rows before and after', rowsBefore > 0 && (await rows()) > 0);

    // the XSS capture: text, no dialog, no foreign script or image
    await upload(page, xss, 'capture');
    const xst = await waitDone(page, 200);
    check('the XSS run reaches done (' + xst + ')', /done/.test(xst));
    const text = await page.evaluate(() => document.body.innerText);
    check('the hostile HELO shows as text', text.includes('HELO <script>alert(8)</script>'));
    check('the hostile SNI shows as text', text.includes('"><svg onload=alert(7)>.example'));
    const scripts = await page.evaluate(() => [...document.scripts].map((s) => s.src));
    check('the only script is /static/app.js (' + scripts.join(' ') + ')',
      scripts.length === 1 && scripts[0].endsWith('/static/app.js'));
    const foreign = await page.evaluate(() => document.querySelectorAll('svg[onload], img[src="x"], [onmouseover]').length);
    check('no element from the capture', foreign === 0);
    await page.screenshot({ path: path.join(outdir, 'run-xss.png'), fullPage: true });
    await page.goto(base + '/');
    await sleep(500);
    check('no dialog fired', dialogs === 0);

    // a behavior report: its family
    if (report) {
      await upload(page, report, 'report');
      const rst = await waitDone(page, 120);
      const fam = await page.$eval('#family a', (e) => e.textContent).catch(() => '');
      check('the behavior report is classified (' + rst + ', ' + fam + ')', fam === 'f2');
    }

    // no token, no upload
    const ctx = await browser.createBrowserContext();
    const anon = await ctx.newPage();
    await anon.goto(base + '/login');
    const code = await anon.evaluate(async () => (await fetch('/api/v1/runs?name=x', { method: 'POST', body: 'x' })).status);
    check('upload without a token refused (' + code + ')', code === 401 || code === 403);
    await ctx.close();
  } catch (e) {
    fail++;
    console.log('FAIL: ' + e.message);
    await page.screenshot({ path: path.join(outdir, 'error.png'), fullPage: true }).catch(() => {});
  }
  await browser.close();
  console.log('browser: ' + pass + ' passed, ' + fail + ' failed');
  process.exit(fail ? 1 : 0);
})();
