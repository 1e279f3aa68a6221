// `dateline serve` over HTTP, through node's own http client: the index,
// the JSON endpoints against the CLI's --json, what is never served, that
// nothing is written, and 200 requests at once. Run by ./build.sh test:
//   node --test --test-reporter=tap tests/web/serve.test.mjs
// with DATELINE_ROOT set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const ROOT = process.env.DATELINE_ROOT;
const BIN = path.join(ROOT, 'plugin/bin/dateline');

// A scratch HOME with its own git identity, and a git repository in it
// whose articles have a known history.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dateline-serve-'));
const repo = path.join(dir, 'repo');
const home = path.join(dir, 'home');
const env = {
  ...process.env,
  HOME: home,
  XDG_DATA_HOME: path.join(dir, 'data'),
  GIT_CONFIG_GLOBAL: path.join(home, '.gitconfig'),
  GIT_CONFIG_NOSYSTEM: '1',
};
delete env.DATELINE_STORE;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: repo, env, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const git = (...args) => run('git', args);
// dateline's own store, where the history lives (docs/cli.md).
const storeGit = (...args) => run('git', ['--git-dir', path.join(repo, '.git', 'dateline'), ...args]);
const cliJson = (...args) => JSON.parse(run(BIN, [...args, '--json']));

// An article saved and recorded, version after version.
function record(relative, content, note) {
  const file = path.join(repo, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  run(BIN, ['snapshot', relative, ...(note ? ['-m', note] : [])]);
}

const V1 = 'Council approves budget\n\nSPRINGFIELD – The council met on Monday.\n\n“We will review spending every quarter,” the mayor said.\n';
const V2 = 'Council approves budget\n\nSPRINGFIELD – The council met on Monday night.\n\n“We will review spending every month,” the mayor said.\n';
const V3 = 'Council approves budget after a long night\n\nSPRINGFIELD – The council met on Monday night.\n\n“We will review spending every month,” the mayor said.\n';
const HOSTILE = 'news/<script>alert(1)</script>.txt';
const SECRET = 'THE-UNRECORDED-SECRET';

// The store and the repository as git sees them: every ref and every object.
// Equal before and after means nothing was written.
function storeState() {
  return storeGit('for-each-ref', '--format=%(refname) %(objectname)') +
    storeGit('cat-file', '--batch-all-objects', '--batch-check') +
    git('for-each-ref', '--format=%(refname) %(objectname)') +
    git('cat-file', '--batch-all-objects', '--batch-check');
}

let server;
let port;

before(async () => {
  fs.mkdirSync(home);
  fs.mkdirSync(repo);
  git('init', '-q', '-b', 'master');
  git('config', 'user.name', 'Jane Doe');
  git('config', 'user.email', 'jane@example.com');
  record('news/council.txt', V1, 'first filed');
  record('news/council.txt', V2, 'corrected quote: month, not quarter');
  record('news/council.txt', V3);
  record('sport/final.txt', 'Final tonight\n\nThe final is tonight.\n');
  record(HOSTILE, 'Hostile\n\nA path with markup.\n', 'note with <b>markup</b> and \x1b[31mescape\x1b[0m');
  // Files the server must never send: one beside the articles, never
  // recorded, and one outside the repository.
  fs.writeFileSync(path.join(repo, 'news/secret.txt'), SECRET + '\n');
  fs.writeFileSync(path.join(dir, 'outside.txt'), SECRET + '\n');

  server = spawn(BIN, ['serve', '--port', '0'], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start message: ${out}`)), 10000);
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    server.on('exit', (code) => reject(new Error(`dateline serve exited (${code}): ${out}`)));
  });
  assert.match(out, /serving 3 articles from .* at http:\/\/127\.0\.0\.1:\d+\/ — read-only/);
});

after(() => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

// One request; `target` is sent as it is written (no normalisation).
function request(target, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, method, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function getJson(target) {
  const r = await request(target);
  assert.equal(r.status, 200, `${target}: ${r.body}`);
  assert.match(r.headers['content-type'], /^application\/json/);
  return JSON.parse(r.body);
}

test('the index lists every article with its latest change, note and versions, newest first', async () => {
  const r = await request('/');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/html; charset=utf-8/);
  const rows = r.body.match(/<tr><td>.*<\/tr>/g);
  assert.equal(rows.length, 3);
  const council = rows.find((row) => row.includes('news/council.txt'));
  assert.match(council, /href="\/article\/news\/council\.txt"/);
  assert.match(council, /<td data-value="3">3<\/td><\/tr>$/);
  assert.match(council, /headline changed/);
  // The newest version has no note; the index shows the latest change's.
  assert.doesNotMatch(council, /corrected quote/);
  assert.match(r.body, /3 articles with history in/);
});

test('article paths and notes are escaped, control characters neutralised', async () => {
  const r = await request('/');
  assert.ok(!r.body.includes('<script>alert'), 'a path with markup reached the page as markup');
  assert.ok(r.body.includes('news/&lt;script&gt;alert(1)&lt;/script&gt;.txt'));
  assert.ok(r.body.includes('href="/article/news/%3Cscript%3Ealert%281%29%3C/script%3E.txt"'));
  assert.ok(r.body.includes('note with &lt;b&gt;markup&lt;/b&gt; and \\033[31mescape\\033[0m'));
  assert.ok(!r.body.includes('\x1b'));
});

test('every answer says what it is and forbids anything external', async () => {
  for (const target of ['/', '/api/articles', '/article/news/council.txt', '/nowhere', '/assets/index.js']) {
    const r = await request(target);
    assert.ok(r.headers['content-type'], `${target}: no Content-Type`);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', target);
    assert.match(r.headers['content-security-policy'], /default-src 'none'/, target);
    assert.doesNotMatch(r.headers['content-security-policy'], /https?:|\*/, target);
  }
  const css = await request('/assets/index.css');
  assert.match(css.headers['content-type'], /^text\/css/);
});

test('an article\'s history page is served at /article/<path>, its comparisons below it', async () => {
  const page = await request('/article/news/council.txt');
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
  const hostile = await request('/article/news/%3Cscript%3Ealert%281%29%3C/script%3E.txt');
  assert.equal(hostile.status, 200);
  const pair = await request('/article/news/council.txt/diff?a=%40~2&b=%40');
  assert.equal(pair.status, 200);
  assert.match(pair.headers['content-type'], /^application\/json/);
});

// The data a history page holds (report's page: one JSON element).
function pageData(html) {
  const match = /<script type="application\/json" id="dateline-data">([^]*?)<\/script>/.exec(html);
  assert.ok(match, 'the page holds no data');
  return JSON.parse(match[1]);
}

test('a long history is served in pages of 200 versions, and any range asked for', async () => {
  for (let i = 0; i < 205; i++)
    record('long/story.txt', `Long story\n\nRevision ${i} of the text.\n`);
  const page = await request('/article/long/story.txt');
  assert.equal(page.status, 200);
  const first = pageData(page.body);
  assert.equal(first.log.versions.length, 200);
  assert.deepEqual(first.log.versions, cliJson('log', '-n', '200', 'long/story.txt').versions);
  assert.deepEqual([first.versions_total, first.versions_newer, first.page_versions], [205, 0, 200]);
  // Asking for every version still answers one bounded page: the newest 200.
  const all = pageData((await request('/article/long/story.txt?from=%40~204')).body);
  assert.deepEqual(all.log.versions, first.log.versions);
  // The older page, as its link names it: the 5 versions after the first 200.
  const older = pageData((await request('/article/long/story.txt?to=%40~200')).body);
  assert.deepEqual(older.log.versions, cliJson('log', 'long/story.txt').versions.slice(200));
  assert.equal(older.versions_newer, 200);
  const range = await request('/article/long/story.txt?from=%40~10&to=%40~5');
  assert.equal(pageData(range.body).log.versions.length, 6);
  const backwards = await request('/article/long/story.txt?from=%40&to=%40~5');
  assert.equal(backwards.status, 400);
});

test('the JSON endpoints answer exactly what the CLI prints with --json', async () => {
  const key = encodeURIComponent('news/council.txt');
  assert.deepEqual(await getJson(`/api/log?path=${key}`), cliJson('log', 'news/council.txt'));
  assert.deepEqual(await getJson(`/api/show?path=${key}&rev=%40~1`), cliJson('show', '@~1', 'news/council.txt'));
  assert.deepEqual(await getJson(`/api/show?path=${key}`), cliJson('show', '@', 'news/council.txt'));
  assert.deepEqual(await getJson(`/api/diff?path=${key}&a=%40~2&b=%40`), cliJson('diff', '@~2', '@', 'news/council.txt'));
  // The file is the latest version: its blame is the latest version's.
  assert.deepEqual(await getJson(`/api/blame?path=${key}`), cliJson('blame', 'news/council.txt'));
  const hostile = encodeURIComponent(HOSTILE);
  assert.deepEqual(await getJson(`/api/log?path=${hostile}`), cliJson('log', HOSTILE));
});

test('/api/articles lists every ref with its count and the newest version as log --json has it', async () => {
  const listing = await getJson('/api/articles');
  const refs = storeGit('for-each-ref', '--format=%(refname)', 'refs/dateline/').trim().split('\n');
  assert.equal(listing.articles.length, refs.length);
  assert.deepEqual(listing.articles.map((a) => a.ref).sort(), refs.sort());
  for (const article of listing.articles) {
    const log = cliJson('log', article.key);
    assert.equal(article.versions, log.versions.length, article.key);
    assert.deepEqual(article.latest, log.versions[0], article.key);
    assert.equal(article.file, log.file);
  }
});

test('nothing outside the store\'s articles is served: 404 or 400, never a file', async () => {
  const long = '/article/' + 'x'.repeat(20000);
  const cases = [
    '/article/news/secret.txt', // beside the articles, never recorded
    '/article/../outside.txt',
    '/article/news/../../outside.txt',
    '/article/news/%2E%2E/%2E%2E/outside.txt',
    '/article/news%2Fcouncil.txt', // an encoded slash inside a segment
    '/article/news%2fcouncil.txt',
    '/article/news//council.txt',
    '/article/./news/council.txt',
    '/article/news/council.txt%00',
    '/article/news/council.txt%',
    '/article/' + encodeURIComponent(path.join(repo, 'news/council.txt')),
    '/article/' + path.join(dir, 'outside.txt'),
    '/news/council.txt',
    '/repo/news/secret.txt',
    '/assets/../news/secret.txt',
    '/assets/index.js/../../news/secret.txt',
    '/api/show?path=news%2Fsecret.txt',
    '/api/show?path=..%2Foutside.txt',
    '/api/show?path=news%2Fcouncil.txt&rev=0123456789abcdef',
    '/api/show?path=news%2Fcouncil.txt&rev=%40~99',
    '/api/diff?path=news%2Fcouncil.txt&a=%40', // the current file is never read
    '/api/blame?path=news%2Fsecret.txt',
    '/api/log?path=news%2Fcouncil.txt%00',
    '/article/news/council.txt/diff?a=deadbeef&b=%40',
    long,
  ];
  for (const target of cases) {
    const r = await request(target);
    assert.ok([400, 404, 414].includes(r.status), `${target.slice(0, 80)}: ${r.status}`);
    assert.ok(!r.body.includes(SECRET), `${target.slice(0, 80)} sent a file`);
    if (!target.startsWith('/api/') && !target.includes('/diff?'))
      assert.match(r.headers['content-type'], /^text\/html/, target.slice(0, 80));
  }
  assert.equal((await request(long)).status, 414);
  assert.equal((await request('/article/news/secret.txt')).status, 404);
  assert.equal((await request('/api/show?path=news%2Fcouncil.txt&rev=%40~99')).status, 404);
});

test('read-only: other methods are refused with Allow, and no request writes to the store', async () => {
  const before = storeState();
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    for (const target of ['/', '/api/articles', '/article/news/council.txt']) {
      const r = await request(target, method);
      assert.equal(r.status, 405, `${method} ${target}`);
      assert.equal(r.headers.allow, 'GET, HEAD');
    }
  }
  const head = await request('/', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  const key = encodeURIComponent('news/council.txt');
  for (const target of ['/', '/api/articles', `/api/log?path=${key}`, `/api/show?path=${key}`,
    `/api/diff?path=${key}&a=%40~1&b=%40`, `/api/blame?path=${key}`, '/article/news/council.txt',
    '/article/news/council.txt/diff?a=%40~1&b=%40', '/assets/index.css'])
    assert.equal((await request(target)).status, 200, target);
  assert.equal(storeState(), before);
});

test('200 concurrent requests are all answered, each with its own correct body', async () => {
  const key = encodeURIComponent('news/council.txt');
  const log = cliJson('log', 'news/council.txt');
  const show = cliJson('show', '@~1', 'news/council.txt');
  const index = (await request('/')).body;
  const kinds = [
    ['/', (r) => assert.equal(r.body, index)],
    [`/api/log?path=${key}`, (r) => assert.deepEqual(JSON.parse(r.body), log)],
    [`/api/show?path=${key}&rev=%40~1`, (r) => assert.deepEqual(JSON.parse(r.body), show)],
    ['/article/news/secret.txt', (r) => assert.equal(r.status, 404)],
  ];
  const targets = Array.from({ length: 200 }, (_, i) => kinds[i % kinds.length]);
  const replies = await Promise.all(targets.map(([target]) => request(target)));
  replies.forEach((r, i) => {
    if (targets[i][0] !== '/article/news/secret.txt') assert.equal(r.status, 200, targets[i][0]);
    targets[i][1](r);
  });
});

test('SIGTERM stops the server cleanly', async () => {
  let err = '';
  server.stderr.on('data', (c) => { err += c; });
  const code = await new Promise((resolve) => {
    server.removeAllListeners('exit');
    server.on('exit', (c) => resolve(c));
    server.kill('SIGTERM');
  });
  assert.equal(code, 0);
  assert.match(err, /stopped/);
});

test('--help describes the command; a bad port or host is refused', () => {
  const help = spawnSync(BIN, ['serve', '--help'], { env, encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: dateline serve \[DIR\] \[--port N\] \[--host ADDR\]/);
  assert.match(help.stdout, /127\.0\.0\.1/);
  const port = spawnSync(BIN, ['serve', '--port', '70000'], { cwd: repo, env, encoding: 'utf8' });
  assert.equal(port.status, 2);
  const host = spawnSync(BIN, ['serve', '--port', '0', '--host', 'example.com'], { cwd: repo, env, encoding: 'utf8' });
  assert.equal(host.status, 1);
  assert.match(host.stderr, /not a numeric IP address/);
});

test('a store without a work tree serves its articles under their absolute paths', async () => {
  const store = path.join(dir, 'own-store.git');
  const file = path.join(dir, 'loose', 'story.txt');
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, V1);
  run(BIN, ['snapshot', '--store', store, file]);
  const own = spawn(BIN, ['serve', '--store', store, '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const ownPort = await new Promise((resolve, reject) => {
      let out = '';
      own.stdout.on('data', (chunk) => {
        out += chunk;
        const match = /serving 1 article from .* at http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
        if (match) resolve(Number(match[1]));
      });
      own.on('exit', (code) => reject(new Error(`exited (${code}): ${out}`)));
    });
    const saved = port;
    port = ownPort;
    try {
      const index = await request('/');
      assert.ok(index.body.includes(`href="/article/${file}"`), index.body);
      assert.equal((await request(`/article/${file}`)).status, 200);
      assert.deepEqual(await getJson(`/api/log?path=${encodeURIComponent(file)}`),
        cliJson('log', '--store', store, file));
    } finally {
      port = saved;
    }
  } finally {
    own.kill('SIGTERM');
  }
});

test('serve DIR serves the store of the repository holding DIR, from anywhere', async () => {
  const other = spawn(BIN, ['serve', repo, '--port', '0'], { cwd: os.tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    const started = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start message: ${out}`)), 10000);
      other.stdout.on('data', (chunk) => {
        out += chunk;
        if (/http:\/\/127\.0\.0\.1:\d+\//.test(out)) {
          clearTimeout(timer);
          resolve(out);
        }
      });
      other.on('exit', (code, signal) => reject(new Error(`dateline serve ${repo} exited (${code ?? signal}): ${out}`)));
    });
    assert.match(started, /serving \d+ articles from .*\/repo\/\.git\/dateline\/ at /);
  } finally {
    other.kill('SIGTERM');
  }
});
