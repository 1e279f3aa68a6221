// `dateline serve` in a real browser: Debian's Chromium, headless, driven by
// puppeteer-core, with axe-core. The index lists every article, sorts and
// filters; pages ask nothing of any other server and log no error. Run by
// ./build.sh test:
//   node --test --test-reporter=tap tests/web/serve_browser.test.mjs
// with DATELINE_ROOT and DATELINE_NODE_MODULES set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = process.env.DATELINE_ROOT;
const require = createRequire((process.env.DATELINE_NODE_MODULES || ROOT) + '/');
// puppeteer-core and axe-core come with the report's browser tests
// (build.sh's NODE_TEST_PACKAGES); without them these tests say so.
function load(name) {
  try { return require(name); } catch { return null; }
}
const puppeteer = load('puppeteer-core');
const AXE_PATH = puppeteer && (() => { try { return require.resolve('axe-core/axe.min.js'); } catch { return null; } })();
const AXE = AXE_PATH && fs.readFileSync(AXE_PATH, 'utf8');
const BIN = path.join(ROOT, 'plugin/bin/dateline');
const CHROMIUM = process.env.DATELINE_CHROMIUM || '/usr/bin/chromium';

// Articles with known histories: name, then each version's text.
const ARTICLES = {
  'news/council.txt': ['Council meets\n\nThe council met.\n', 'Council meets\n\nThe council met on Monday.\n',
    'Council meets\n\n“We met,” the mayor said.\n'],
  'news/flood.txt': ['River floods\n\nThe river rose.\n'],
  'sport/final.txt': ['Final tonight\n\nThe final is tonight.\n', 'Final won\n\nThe home side won.\n'],
  'opinion/<b>bold</b>.txt': ['Opinion\n\nA view.\n'],
};

let dir, repo, env, server, origin, browser;
const NEEDS_BROWSER = { skip: !(puppeteer && AXE && fs.existsSync(CHROMIUM)) &&
  'not run: puppeteer-core, axe-core or Chromium is not installed' };

before(async () => {
  if (NEEDS_BROWSER.skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dateline-serve-web-'));
  repo = path.join(dir, 'repo');
  fs.mkdirSync(repo);
  env = { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, 'data'),
    GIT_CONFIG_GLOBAL: path.join(dir, '.gitconfig'), GIT_CONFIG_NOSYSTEM: '1' };
  delete env.DATELINE_STORE;
  for (const args of [['init', '-q'], ['config', 'user.name', 'Jane Doe'], ['config', 'user.email', 'jane@example.com']])
    assert.equal(spawnSync('git', args, { cwd: repo, env }).status, 0);
  for (const [name, versions] of Object.entries(ARTICLES)) {
    fs.mkdirSync(path.dirname(path.join(repo, name)), { recursive: true });
    for (const text of versions) {
      fs.writeFileSync(path.join(repo, name), text);
      const r = spawnSync(BIN, ['snapshot', name], { cwd: repo, env, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  }
  server = spawn(BIN, ['serve', '--port', '0'], { cwd: repo, env, stdio: ['ignore', 'pipe', 'inherit'] });
  origin = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (match) resolve(match[1]);
    });
    server.on('exit', (code) => reject(new Error(`dateline serve exited (${code}): ${out}`)));
  });
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: path.join(dir, 'chromium'),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-proxy-server', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill('SIGTERM');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// A page of the server, with every request elsewhere and every error kept.
async function open(target) {
  const page = await browser.newPage();
  const foreign = [], errors = [];
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (!request.url().startsWith(origin + '/')) foreign.push(request.url());
    request.continue();
  });
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(origin + target, { waitUntil: 'load' });
  return { page, foreign, errors };
}

const keys = (page) => page.$$eval('#articles tbody tr', (rows) =>
  rows.filter((r) => !r.hidden).map((r) => r.cells[0].textContent));

test('the index lists every article, newest change first, and links to its history', NEEDS_BROWSER, async () => {
  const { page, foreign, errors } = await open('/');
  const shown = await keys(page);
  assert.deepEqual([...shown].sort(), Object.keys(ARTICLES).sort());
  const versions = await page.$$eval('#articles tbody tr', (rows) =>
    Object.fromEntries(rows.map((r) => [r.cells[0].textContent, Number(r.cells[4].textContent)])));
  for (const [name, texts] of Object.entries(ARTICLES)) assert.equal(versions[name], texts.length, name);
  const times = await page.$$eval('#articles tbody tr', (rows) => rows.map((r) => Number(r.cells[1].dataset.value)));
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
  await Promise.all([page.waitForNavigation(), page.click('a[href="/article/news/council.txt"]')]);
  assert.equal(page.url(), origin + '/article/news/council.txt');
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the index sorts by any column and filters by text, by keyboard too', NEEDS_BROWSER, async () => {
  const { page, errors } = await open('/');
  const versionsButton = await page.$('th:nth-child(5) button');
  await versionsButton.click();
  assert.deepEqual(await page.$$eval('#articles tbody tr', (rows) => rows.map((r) => Number(r.cells[4].textContent))),
    [1, 1, 2, 3]);
  assert.equal(await page.$eval('th:nth-child(5)', (th) => th.getAttribute('aria-sort')), 'ascending');
  await versionsButton.press('Enter');
  assert.deepEqual(await page.$$eval('#articles tbody tr', (rows) => rows.map((r) => Number(r.cells[4].textContent))),
    [3, 2, 1, 1]);
  await page.click('th:nth-child(1) button');
  assert.deepEqual(await keys(page), [...Object.keys(ARTICLES)].sort());

  await page.focus('#filter');
  await page.keyboard.type('news');
  assert.deepEqual(await keys(page), ['news/council.txt', 'news/flood.txt']);
  assert.match(await page.$eval('#shown', (o) => o.textContent), /2 of 4 shown/);
  await page.keyboard.type(' flood');
  assert.deepEqual(await keys(page), ['news/flood.txt']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('axe-core finds no accessibility violation on the index', NEEDS_BROWSER, async () => {
  const { page, errors } = await open('/');
  // axe is injected as the test's own script, past the page's policy.
  await page.setBypassCSP(true);
  await page.reload({ waitUntil: 'load' });
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document));
  assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.help}`), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an article\'s history page loads from the server alone, without errors', NEEDS_BROWSER, async () => {
  const { page, foreign, errors } = await open('/article/news/council.txt');
  assert.equal(await page.$$eval('#timeline .version', (v) => v.length), ARTICLES['news/council.txt'].length);
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a path outside the store gives the server\'s 404 page in the browser', NEEDS_BROWSER, async () => {
  const { page } = await open('/article/..%2F..%2Fetc%2Fpasswd');
  assert.match(await page.title(), /Not found/);
  assert.doesNotMatch(await page.content(), /root:/);
  await page.close();
});

// Last, as it adds an article the tests above do not expect.
test('a long history is paged: older and newer versions are one link away', NEEDS_BROWSER, async () => {
  const name = 'news/long.txt';
  for (let i = 0; i < 203; i++) {
    fs.writeFileSync(path.join(repo, name), `Long story\n\nRevision ${i} of the text.\n`);
    const r = spawnSync(BIN, ['snapshot', name], { cwd: repo, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  const { page, foreign, errors } = await open('/article/' + name);
  const shown = () => page.$$eval('#timeline .version', (v) => v.length);
  assert.equal(await shown(), 200);
  assert.match(await page.$eval('#range-note', (n) => n.textContent), /Showing 200 of the 203 versions/);
  const follow = async (text) => {
    const [link] = await page.$$(`xpath/.//a[text()="${text}"]`);
    assert.ok(link, `no "${text}" link`);
    await Promise.all([page.waitForNavigation(), link.click()]);
  };
  await follow('Older versions');
  assert.equal(await shown(), 3);
  await follow('Newer versions');
  assert.equal(await shown(), 200);
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await page.close();
});
