// `dateline report` in a real browser: Debian's Chromium, headless, driven
// by puppeteer-core, with axe-core for accessibility. Run by ./build.sh test:
//   node --test --test-reporter=tap tests/web/report.test.mjs
// with DATELINE_ROOT and DATELINE_NODE_MODULES set. The history is made in
// the test with the real CLI, so every fact the page shows is known.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = process.env.DATELINE_ROOT;
const require = createRequire(process.env.DATELINE_NODE_MODULES + '/');
const puppeteer = require('puppeteer-core');
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BIN = path.join(ROOT, 'plugin/bin/dateline');
const CHROMIUM = process.env.DATELINE_CHROMIUM || '/usr/bin/chromium';

// The story's versions, oldest first: the quotation changes in v3 -> v4,
// v2 fixes a typo (trivial), v3 and v5 carry notes.
const HEAD = 'Council approves library budget\n\nBy Jane Doe\n\n';
const P1 = 'OLYMPIA, WA – The city council approved the library budget on Tuesday after a long debate.';
const Q_OLD = '“We will keep every branch open,” Mayor Ana Ruiz said.';
const Q_NEW = '“We will keep most branches open,” Mayor Ana Ruiz said.';
const P3 = 'The vote was 7-2.';
const HOSTILE = 'checked </script><script>window.__pwned = 1</script><!-- with the desk';
const VERSIONS = [
  { text: HEAD + P1.replace('library', 'libary') + '\n\n' + Q_OLD + '\n', note: null },
  { text: HEAD + P1 + '\n\n' + Q_OLD + '\n', note: null },
  { text: HEAD + P1 + '\n\n' + Q_OLD + '\n\n' + P3 + '\n', note: HOSTILE },
  { text: HEAD + P1 + '\n\n' + Q_NEW + '\n\n' + P3 + '\n', note: null },
  { text: HEAD + P1 + '\n\n' + Q_NEW + '\n\n' + P3 + '\n\nThe budget takes effect in July.\n', note: 'corrected quote' },
];

let dir, report, ids = [], browser, cliEnv;

function run(args, env, cwd) {
  const r = spawnSync(BIN, args, { cwd, env, encoding: 'utf8' });
  assert.equal(r.status, 0, `dateline ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dateline-web-'));
  const repo = path.join(dir, 'repo');
  fs.mkdirSync(repo);
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, 'data'),
    GIT_CONFIG_GLOBAL: path.join(dir, '.gitconfig'), GIT_CONFIG_NOSYSTEM: '1' };
  delete env.DATELINE_STORE;
  cliEnv = env;
  for (const args of [['init', '-q'], ['config', 'user.name', 'Jane Doe'], ['config', 'user.email', 'jane@example.com']])
    assert.equal(spawnSync('git', args, { cwd: repo, env }).status, 0);
  for (const v of VERSIONS) {
    fs.writeFileSync(path.join(repo, 'story.txt'), v.text);
    ids.push(run(['snapshot', 'story.txt', ...(v.note ? ['-m', v.note] : [])], env, repo).trim());
  }
  report = path.join(dir, 'story.html');
  run(['report', 'story.txt', '-o', report], env, repo);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: path.join(dir, 'chromium'),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// The report opened from file://, with every request but the file itself
// and every console error and page error recorded.
async function open(file = report) {
  const page = await browser.newPage();
  const url = pathToFileURL(file).href;
  const requests = [], errors = [];
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.url() !== url) requests.push(request.url());
    request.continue();
  });
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(url, { waitUntil: 'load' });
  return { page, requests, errors };
}

const short = (id) => id.slice(0, 10);

test('the timeline shows every version and marks the annotated and trivial ones', async () => {
  const { page, requests, errors } = await open();
  // The headline is the headline, in the page and its title, nothing after it.
  assert.equal(await page.$eval('#headline', (h) => h.textContent), 'Council approves library budget');
  assert.equal(await page.title(), 'Council approves library budget — story.txt');
  const shown = await page.$$eval('#timeline .version', (bs) => bs.map((b) => ({
    id: b.dataset.id, annotated: b.classList.contains('annotated'), trivial: b.classList.contains('trivial') })));
  assert.equal(shown.length, VERSIONS.length);
  assert.deepEqual(shown.map((v) => v.id), [...ids].reverse());
  assert.deepEqual(shown.filter((v) => v.annotated).map((v) => v.id), [ids[4], ids[2]]);
  assert.deepEqual(shown.filter((v) => v.trivial).map((v) => v.id), [ids[1]]);
  // The annotated versions are marked on the plot, one dot each.
  assert.equal(await page.$$eval('#plot circle', (c) => c.length), 2);
  // Hiding trivial versions leaves the others.
  await page.click('#hide-trivial');
  const visible = await page.$$eval('#timeline .version', (bs) => bs.filter((b) => b.offsetParent !== null).length);
  assert.equal(visible, VERSIONS.length - 1);
  assert.deepEqual(requests, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a report of some versions says how many there are and how to see the rest', async () => {
  const { page, errors } = await open();
  assert.equal(await page.$eval('#range-note', (n) => n.hidden), true, 'every version is shown');
  await page.close();
  const part = path.join(dir, 'part.html');
  run(['report', 'story.txt', '--from', ids[1], '--to', ids[3], '-o', part], cliEnv, path.join(dir, 'repo'));
  const partial = await open(part);
  assert.equal(await partial.page.$$eval('#timeline .version', (bs) => bs.length), 3);
  const note = await partial.page.$eval('#range-note', (n) => (n.hidden ? '' : n.textContent));
  assert.match(note, new RegExp('Showing 3 of the ' + VERSIONS.length + ' versions'));
  assert.match(note, /dateline report story\.txt --from REV --to REV/);
  assert.deepEqual(partial.errors, []);
  await partial.page.close();
  // The newest versions only: blame looks back through those, and says so
  // where it credits the oldest shown with what may be older.
  const newest = path.join(dir, 'newest.html');
  run(['report', 'story.txt', '--from', ids[2], '-o', newest], cliEnv, path.join(dir, 'repo'));
  const recent = await open(newest);
  const blames = await recent.page.$$eval('#article .blame', (b) => b.map((x) => x.textContent));
  assert.ok(blames.some((t) => t.startsWith('Last changed by ' + short(ids[2]) + ' (or an older version not shown here)')),
    blames.join(' | '));
  assert.ok(blames.some((t) => t.startsWith('Last changed by ' + short(ids[4]) + ' on')), blames.join(' | '));
  assert.deepEqual(recent.errors, []);
  await recent.page.close();
});

test('a hostile note is shown as text and cannot break out of the data', async () => {
  const { page, errors } = await open();
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const notes = await page.$$eval('#timeline .note', (n) => n.map((x) => x.textContent));
  assert.ok(notes.includes('Note: ' + HOSTILE), notes.join(' | '));
  assert.deepEqual(errors, []);
  await page.close();
});

test('keyboard only: the timeline picks a pair and the compare view calls out the quotation', async () => {
  const { page, errors } = await open();
  // Tab until the timeline has focus.
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement.closest('#timeline') !== null)) break;
  }
  assert.ok(await page.evaluate(() => document.activeElement.closest('#timeline') !== null), 'Tab reaches the timeline');
  // Down to v4 (the quotation change), whatever session heads come first.
  for (let i = 0; i < 10; i++) {
    if (await page.evaluate(() => document.activeElement.dataset.id) === ids[3]) break;
    await page.keyboard.press('ArrowDown');
  }
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), ids[3]);
  await page.keyboard.press('Enter');
  assert.equal(await page.$eval('#compare-old', (s) => s.value), ids[2]);
  assert.equal(await page.$eval('#compare-new', (s) => s.value), ids[3]);
  const quotation = await page.$eval('#compare .quotation-change', (q) => q.textContent);
  assert.match(quotation, /Quotation changed · Mayor Ana Ruiz/);
  assert.match(quotation, /Old words: “We will keep every branch open,”/);
  assert.match(quotation, /New words: “We will keep most branches open,”/);
  // The quotation comes first, before the paragraphs.
  const headings = await page.$$eval('#compare h3', (h) => h.map((x) => x.textContent));
  assert.equal(headings[0], 'Quotations');

  // Arrow keys step through neighbouring versions.
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.$eval('#compare-new', (s) => s.value), ids[2]);
  assert.equal(await page.$eval('#compare-old', (s) => s.value), ids[1]);
  assert.match(await page.$eval('#compare', (c) => c.textContent), /¶3 added/);
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.$eval('#compare-new', (s) => s.value), ids[3]);

  // Space marks a version; Enter on another compares the two.
  await page.focus('#timeline .version[data-id="' + ids[0] + '"]');
  await page.keyboard.press('Space');
  await page.focus('#timeline .version[data-id="' + ids[4] + '"]');
  await page.keyboard.press('Enter');
  assert.equal(await page.$eval('#compare-old', (s) => s.value), ids[0]);
  assert.equal(await page.$eval('#compare-new', (s) => s.value), ids[4]);
  assert.match(await page.$eval('#compare', (c) => c.textContent), /Mayor Ana Ruiz/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('keyboard only: each paragraph shows its blame on focus', async () => {
  const { page, errors } = await open();
  let blame = null;
  // The byline block comes first, then ¶1.
  for (let i = 0; i < 80 && (blame === null || blame.label !== '¶1'); i++) {
    await page.keyboard.press('Tab');
    blame = await page.evaluate(() => {
      const para = document.activeElement.closest('.para');
      if (!para) return null;
      const b = para.querySelector('.blame');
      return { label: para.querySelector('.label').textContent, text: b.textContent, display: getComputedStyle(b).display };
    });
  }
  assert.ok(blame, 'Tab reaches the article');
  assert.equal(blame.display, 'block');
  assert.equal(blame.label, '¶1');
  // The dateline paragraph last changed in v2, the typo fix.
  assert.match(blame.text, new RegExp('Last changed by ' + short(ids[1]) + ' .* by Jane Doe'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a pair the report does not hold says how to get it', async () => {
  const { page, errors } = await open();
  await page.select('#compare-old', ids[0]);
  await page.select('#compare-new', ids[2]);
  const text = await page.$eval('#compare', (c) => c.textContent);
  // v1..v3 is neither neighbours, nor annotated, nor against the newest.
  assert.match(text, new RegExp('dateline report story.txt --from ' + short(ids[0]) + ' --to ' + short(ids[2])));
  assert.deepEqual(errors, []);
  await page.close();
});

test('axe-core finds no accessibility violations', async () => {
  const { page, errors } = await open();
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document));
  const violations = result.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', '));
  assert.deepEqual(violations, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('on paper the compare view is printed and the rest is not', async () => {
  const { page } = await open();
  await page.emulateMediaType('print');
  const display = await page.evaluate(() => Object.fromEntries(
    ['timeline-view', 'article-view', 'compare-view'].map((id) => [id, getComputedStyle(document.getElementById(id)).display])));
  assert.equal(display['timeline-view'], 'none');
  assert.equal(display['article-view'], 'none');
  assert.notEqual(display['compare-view'], 'none');
  // Changes stay visible without colour: insertions are bracketed.
  const marker = await page.$eval('#compare ins', (i) => getComputedStyle(i, '::before').content);
  assert.equal(marker, '"[+"');
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 1000);
  await page.close();
});

test('the command writes the page to a pipe and refuses a terminal', () => {
  const repo = path.join(dir, 'repo');
  const piped = spawnSync(BIN, ['report', 'story.txt'], { cwd: repo, env: cliEnv, encoding: 'utf8' });
  assert.equal(piped.status, 0, piped.stderr);
  assert.equal(piped.stdout, fs.readFileSync(report, 'utf8'));
  // util-linux's script(1) gives the command a terminal for its output.
  const tty = spawnSync('script', ['-qec', `${BIN} report story.txt`, '/dev/null'],
    { cwd: repo, env: cliEnv, encoding: 'utf8' });
  assert.equal(tty.status, 2);
  assert.match(tty.stdout, /will not print a web page on a terminal; write it with -o FILE.html/);
  assert.doesNotMatch(tty.stdout, /<html/);
});
