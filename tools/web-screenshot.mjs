// Make docs/report-timeline.png and docs/report-compare.png: the report of
// a demo history (tests/fixtures/demo.article edited over five saves, with
// a corrected quotation and notes) in headless Chromium.
// Run after ./build.sh build and ./build.sh deps:
//   node tools/web-screenshot.mjs [OUTPUT_DIR]
// DATELINE_CACHE names the tool cache (default .cache) for puppeteer-core.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = process.env.DATELINE_CACHE || path.join(ROOT, '.cache');
const require = createRequire(path.join(CACHE, 'node/node_modules') + '/');
const puppeteer = require('puppeteer-core');
const OUT = process.argv[2] || path.join(ROOT, 'docs');
const BIN = path.join(ROOT, 'plugin/bin/dateline');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dateline-shot-'));
const repo = path.join(work, 'repo');
fs.mkdirSync(repo);
const env = { ...process.env, HOME: work, XDG_DATA_HOME: path.join(work, 'data'),
  GIT_CONFIG_GLOBAL: path.join(work, '.gitconfig'), GIT_CONFIG_NOSYSTEM: '1' };
delete env.DATELINE_STORE;
function sh(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: repo, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}
sh('git', ['init', '-q']);
sh('git', ['config', 'user.name', 'Priya Natarajan']);
sh('git', ['config', 'user.email', 'priya@example.org']);

// Five saves: the first filing, a typo fix, the corrected quote, a new
// scene, a full stop.
const demo = fs.readFileSync(path.join(ROOT, 'tests/fixtures/demo.article'), 'utf8');
const final = demo.replace('The council voted 5-2.', 'The council voted 5-2');
const quoted = final.replace(/\n\nRiders at the downtown[\s\S]*?have to,” Ortega said\./, '');
const draft = quoted.replace('deserve a way to get to work', 'deserve a way to get to their jobs');
const saves = [
  [draft.replace('Hardesty, who', 'Hardesty who'), 'first filed'],
  [draft, null],
  [quoted, 'corrected quote after checking the recording'],
  [final, 'added riders at the transfer center'],
  [demo, null],
];
for (const [text, note] of saves) {
  fs.writeFileSync(path.join(repo, 'bus.txt'), text);
  sh(BIN, ['snapshot', 'bus.txt', ...(note ? ['-m', note] : [])]);
}
const report = path.join(work, 'bus.html');
sh(BIN, ['report', 'bus.txt', '-o', report]);

const browser = await puppeteer.launch({
  executablePath: process.env.DATELINE_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  userDataDir: path.join(work, 'chromium'),
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1000, height: 900, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
  fs.mkdirSync(OUT, { recursive: true });
  const timeline = await page.$('#timeline-view');
  await timeline.screenshot({ path: path.join(OUT, 'report-timeline.png') });
  // The quotation correction: the third save against the second.
  const versions = await page.$$eval('#timeline .version', (b) => b.map((x) => x.dataset.id));
  const corrected = await page.$$eval('#timeline .version', (b) => b.findIndex((x) => x.textContent.includes('corrected quote')));
  await page.select('#compare-old', versions[corrected + 1]);
  await page.select('#compare-new', versions[corrected]);
  const compare = await page.$('#compare-view');
  await compare.screenshot({ path: path.join(OUT, 'report-compare.png') });
  console.log(`wrote ${path.join(OUT, 'report-timeline.png')} and report-compare.png`);
} finally {
  await browser.close();
  fs.rmSync(work, { recursive: true, force: true });
}
