// The language server through an independent client: `dateline lsp` driven
// over its stdio by vscode-jsonrpc with vscode-languageserver-protocol's
// request types, as VS Code-style editors drive it. Run by ./build.sh test:
//   node --test --test-reporter=tap tests/lsp/server.test.mjs
// with DATELINE_ROOT and DATELINE_NODE_MODULES set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = process.env.DATELINE_ROOT;
const require = createRequire(process.env.DATELINE_NODE_MODULES + '/');
const rpc = require('vscode-jsonrpc/node');
const proto = require('vscode-languageserver-protocol');

// DATELINE_BIN: another build of the CLI (tests/stress/tsan_test.sh runs
// this session on the ThreadSanitizer build).
const BIN = process.env.DATELINE_BIN || path.join(ROOT, 'plugin/bin/dateline');
const SHARED = process.env.DATELINE_SHARED || path.join(ROOT, '../shared');
const SEED_PATH = path.join(SHARED, 'seeds/000_8262d85f5fa5c412.txt');
const SEED = fs.existsSync(SEED_PATH) ? fs.readFileSync(SEED_PATH, 'utf8') : null;
// A clone made from the project's home page has no shared data: the tests
// that read the reference article say they were not run.
const NEEDS_SEED = { skip: SEED === null && 'not run: the shared data is not here' };
// Where any article will do: one the project wrote.
const FIXTURE = fs.readFileSync(path.join(ROOT, 'tests/fixtures/wire-story.article'), 'utf8');
const MANIFEST = JSON.parse(fs.readFileSync(path.join(ROOT, 'plugin.json'), 'utf8'));

// A scratch HOME with its own git identity, and a git repository in it.
function scratch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dateline-lsp-'));
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: path.join(dir, 'data'),
    GIT_CONFIG_GLOBAL: path.join(home, '.gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
  };
  delete env.DATELINE_STORE;
  const git = (...args) => {
    const r = spawnSync('git', args, { cwd: path.join(dir, 'repo'), env, encoding: 'utf8' });
    assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  fs.mkdirSync(path.join(dir, 'repo'));
  git('init', '-q', '-b', 'master');
  git('config', 'user.name', 'Jane Doe');
  git('config', 'user.email', 'jane@example.com');
  const cli = (...args) => {
    const r = spawnSync(BIN, args, { cwd: path.join(dir, 'repo'), env, encoding: 'utf8' });
    return { status: r.status, out: r.stdout, err: r.stderr };
  };
  // Plain git on dateline's store inside the repository's .git.
  const sgit = (...args) => git('--git-dir=.git/dateline', ...args);
  return { dir, env, repo: path.join(dir, 'repo'), git, sgit, cli, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

// A server and a connection to it, with every notification kept.
function start(env = process.env) {
  const child = spawn(BIN, ['lsp'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const connection = rpc.createMessageConnection(
    new rpc.StreamMessageReader(child.stdout),
    new rpc.StreamMessageWriter(child.stdin),
  );
  const notes = [];
  const waiters = [];
  connection.onNotification((method, params) => {
    notes.push({ method, params });
    for (const w of waiters.splice(0)) w();
  });
  connection.onError(() => {});
  connection.listen();
  // Wait for a notification that satisfies `pick` (returns its params).
  const waitFor = (method, pick = () => true, ms = 10000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${method}`)), ms);
      const check = () => {
        const found = notes.find((n) => n.method === method && pick(n.params));
        if (found) {
          clearTimeout(timer);
          resolve(found.params);
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { child, connection, notes, waitFor, exited };
}

async function initialize(server, extra = {}) {
  const result = await server.connection.sendRequest(proto.InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: extra.capabilities ?? {},
    initializationOptions: extra.initializationOptions,
  });
  server.connection.sendNotification(proto.InitializedNotification.type, {});
  return result;
}

async function stop(server) {
  await server.connection.sendRequest(proto.ShutdownRequest.type);
  server.connection.sendNotification(proto.ExitNotification.type);
  const code = await server.exited;
  server.connection.dispose();
  return code;
}

function open(server, uri, text, version = 1) {
  server.connection.sendNotification(proto.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'article', version, text },
  });
}

const fileUri = (p) => 'file://' + p.split('/').map(encodeURIComponent).join('/');
const symbols = (server, uri) =>
  server.connection.sendRequest(proto.DocumentSymbolRequest.type, { textDocument: { uri } });
const execute = (server, command, args) =>
  server.connection.sendRequest(proto.ExecuteCommandRequest.type, { command, arguments: [args] });

// Raw bytes to a fresh server's stdin; the framed replies it sends back.
async function rawSession(bytes, expected) {
  const child = spawn(BIN, ['lsp'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = Buffer.alloc(0);
  const replies = [];
  const done = new Promise((resolve) => {
    child.stdout.on('data', (chunk) => {
      out = Buffer.concat([out, chunk]);
      for (;;) {
        const end = out.indexOf('\r\n\r\n');
        if (end < 0) break;
        const length = Number(/Content-Length: (\d+)/.exec(out.subarray(0, end).toString())[1]);
        if (out.length < end + 4 + length) break;
        replies.push(JSON.parse(out.subarray(end + 4, end + 4 + length).toString()));
        out = out.subarray(end + 4 + length);
      }
      if (replies.length >= expected) resolve();
    });
  });
  child.stdin.write(bytes);
  await done;
  child.stdin.end();
  const code = await new Promise((resolve) => child.on('exit', resolve));
  return { replies, code };
}
const frame = (obj) => {
  const body = Buffer.from(JSON.stringify(obj));
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
};

// ------------------------------------------------------------ lifecycle --

test('initialize reports the name and version from plugin.json and real capabilities', async () => {
  const server = start();
  const result = await initialize(server);
  assert.deepEqual(result.serverInfo, { name: MANIFEST.name, version: MANIFEST.version });
  const caps = result.capabilities;
  assert.equal(caps.positionEncoding, 'utf-16');
  assert.equal(caps.textDocumentSync.change, proto.TextDocumentSyncKind.Incremental);
  assert.equal(caps.documentSymbolProvider, true);
  assert.equal(caps.hoverProvider, true);
  assert.deepEqual(caps.executeCommandProvider.commands.sort(), [
    'dateline.blame', 'dateline.diff', 'dateline.log', 'dateline.note',
    'dateline.restore', 'dateline.show', 'dateline.snapshot',
  ]);
  assert.ok(caps.semanticTokensProvider.legend.tokenTypes.includes('string'));
  assert.ok(caps.semanticTokensProvider.legend.tokenModifiers.includes('quotation'));
  assert.equal(await stop(server), 0);
});

test('exit without shutdown ends with status 1', async () => {
  const server = start();
  await initialize(server);
  server.connection.sendNotification(proto.ExitNotification.type);
  assert.equal(await server.exited, 1);
  server.connection.dispose();
});

test('a request before initialize is ServerNotInitialized, and the server carries on', async () => {
  const server = start();
  await assert.rejects(symbols(server, 'file:///x.txt'), (e) => e.code === -32002);
  await initialize(server);
  assert.equal(await stop(server), 0);
});

test('unknown methods: MethodNotFound for requests, ignored notifications', async () => {
  const server = start();
  await initialize(server);
  server.connection.sendNotification('dateline/unknownNotification', {});
  await assert.rejects(server.connection.sendRequest('dateline/unknown', {}), (e) => e.code === -32601);
  const uri = 'file:///tmp/after-unknown.txt';
  open(server, uri, FIXTURE);
  const names = (await symbols(server, uri)).map((symbol) => symbol.name);
  assert.ok(names.some((name) => name.startsWith('Harbor authority approves')), names.join(', '));
  assert.equal(await stop(server), 0);
});

test('malformed JSON and broken headers get ParseError with id null; the server survives', async () => {
  const bytes = Buffer.concat([
    Buffer.from('Content-Length: 9\r\n\r\n{"bad":,}'),
    Buffer.from('Content-Type: application/json\r\n\r\n'),
    Buffer.from('Content-Length: x12\r\n\r\n'),
    frame({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { capabilities: {} } }),
    frame({ jsonrpc: '2.0', id: 2, method: 'shutdown' }),
    frame({ jsonrpc: '2.0', method: 'exit' }),
  ]);
  const { replies, code } = await rawSession(bytes, 5);
  const errors = replies.filter((r) => r.error);
  assert.equal(errors.length, 3);
  for (const e of errors) {
    assert.equal(e.error.code, -32700);
    assert.equal(e.id, null);
  }
  assert.ok(replies.find((r) => r.id === 1 && r.result.serverInfo));
  assert.ok(replies.find((r) => r.id === 2 && r.result === null));
  assert.equal(code, 0);
});

test('when the client dies (stdin closes) the server exits', async () => {
  const server = start();
  await initialize(server);
  open(server, 'file:///tmp/dying.txt', FIXTURE);
  await server.waitFor('textDocument/publishDiagnostics');
  server.child.stdin.end();
  const code = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r('hung'), 5000))]);
  assert.equal(code, 1);
  server.connection.dispose();
});

// ----------------------------------------------------- document features --

test('documentSymbol: headline, paragraphs with dateline and quotations, speakers as detail', NEEDS_SEED, async () => {
  const server = start();
  await initialize(server);
  const uri = 'file:///tmp/reference.txt';
  open(server, uri, SEED);
  const result = await symbols(server, uri);
  assert.equal(result[0].kind, proto.SymbolKind.Class);
  assert.match(result[0].name, /^Parler sues Amazon/);
  const paragraphs = result.slice(1);
  assert.deepEqual(paragraphs.map((s) => s.name.split(' ').slice(0, 2).join(' ')),
    ['¶ 1', '¶ 2', '¶ 3', '¶ 4', '¶ 5', '¶ 6', '¶ 7']);
  assert.equal(paragraphs[0].children[0].name, 'OLYMPIA, WA –');
  assert.equal(paragraphs[0].children[0].kind, proto.SymbolKind.Key);
  const quote = paragraphs[3].children[0];
  assert.equal(quote.kind, proto.SymbolKind.Constant);
  assert.equal(quote.detail, 'the company');
  assert.deepEqual(quote.range.start, { line: 8, character: 0 });
  assert.equal(await stop(server), 0);
});

// Apply an LSP edit to a JS string (UTF-16, as the protocol counts).
function applyEdit(text, range, newText) {
  const lines = text.split('\n');
  const offset = (p) => {
    let at = 0;
    for (let i = 0; i < Math.min(p.line, lines.length - 1); i++) at += lines[i].length + 1;
    const line = lines[Math.min(p.line, lines.length - 1)];
    return at + (p.line >= lines.length ? line.length : Math.min(p.character, line.length));
  };
  return text.slice(0, offset(range.start)) + newText + text.slice(offset(range.end));
}

test('1,000 incremental edits leave the same symbols as a fresh server on the final text', NEEDS_SEED, async () => {
  const server = start();
  await initialize(server);
  const uri = 'file:///tmp/edited.txt';
  let text = SEED;
  open(server, uri, text);
  let seed = 42;
  const random = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  const inserts = ['x', ' ', '\n', '\n\n', '“', '”', '😀', 'é', '', 'the ', '{++', '++}', '"'];
  for (let version = 2; version < 1002; version++) {
    const lines = text.split('\n');
    const line = random(lines.length);
    // Whole code points only: never split a surrogate pair.
    const chars = Array.from(lines[line]);
    const at = random(chars.length + 1);
    const del = Math.min(random(4), chars.length - at);
    const character = chars.slice(0, at).join('').length;
    const end = chars.slice(0, at + del).join('').length;
    const range = { start: { line, character }, end: { line, character: end } };
    const newText = inserts[random(inserts.length)];
    text = applyEdit(text, range, newText);
    server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ range, text: newText }],
    });
  }
  const edited = await symbols(server, uri);
  const fresh = start();
  await initialize(fresh);
  open(fresh, uri, text);
  assert.deepEqual(edited, await symbols(fresh, uri));
  assert.equal(await stop(server), 0);
  assert.equal(await stop(fresh), 0);
});

test('symbols asked after every edit stay those of a fresh server (cached blocks)', NEEDS_SEED, async () => {
  const server = start();
  await initialize(server);
  const uri = 'file:///tmp/cached.txt';
  let text = SEED;
  open(server, uri, text);
  let seed = 7;
  const random = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  const inserts = ['x', '\n', '\n\n', '“', '”', '😀', '', 'the ', '“Yes,” he said. ', '\n\n## Part two\n\n'];
  for (let version = 2; version < 302; version++) {
    const lines = text.split('\n');
    const line = random(lines.length);
    const chars = Array.from(lines[line]);
    const at = random(chars.length + 1);
    const del = Math.min(random(4), chars.length - at);
    const character = chars.slice(0, at).join('').length;
    const end = chars.slice(0, at + del).join('').length;
    // Sometimes the edit ends on a later line: a deletion across lines.
    const endLine = random(5) === 0 ? Math.min(line + 1 + random(3), lines.length - 1) : line;
    const endCharacter = endLine === line ? end : 0;
    const range = { start: { line, character }, end: { line: endLine, character: endCharacter } };
    const newText = inserts[random(inserts.length)];
    text = applyEdit(text, range, newText);
    server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ range, text: newText }],
    });
    const edited = await symbols(server, uri);
    if (version % 50 === 0 || version === 301) {
      const fresh = start();
      await initialize(fresh);
      open(fresh, uri, text);
      assert.deepEqual(edited, await symbols(fresh, uri), `after edit ${version}`);
      assert.equal(await stop(fresh), 0);
    }
  }
  assert.equal(await stop(server), 0);
});

test('positionEncoding utf-8 is used when the client offers it', async () => {
  const server = start();
  const result = await initialize(server, { capabilities: { general: { positionEncodings: ['utf-8', 'utf-16'] } } });
  assert.equal(result.capabilities.positionEncoding, 'utf-8');
  const uri = 'file:///tmp/utf8.txt';
  open(server, uri, 'Café “crème” 😀\n\nBody “quote,” she said.\n');
  const [headline] = await symbols(server, uri);
  assert.equal(headline.range.end.character, Buffer.byteLength('Café “crème” 😀'));
  await stop(server);
});

test('diagnostics: an injected unclosed quote is reported, and the code action closes it', NEEDS_SEED, async () => {
  const server = start();
  await initialize(server);
  const uri = 'file:///tmp/diagnosed.txt';
  open(server, uri, SEED);
  const clean = await server.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
  assert.deepEqual(clean.diagnostics, []);
  // ¶ 2: the next paragraph does not open with a quote mark, so this is no
  // news-style continued quotation.
  const range = { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } };
  server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range, text: '“Unclosed ' }],
  });
  const reported = await server.waitFor('textDocument/publishDiagnostics', (p) => p.version === 2);
  assert.equal(reported.diagnostics.length, 1);
  const [d] = reported.diagnostics;
  assert.equal(d.code, 'unclosed-quotation');
  assert.equal(d.source, 'dateline');
  assert.deepEqual(d.range, { start: { line: 4, character: 0 }, end: { line: 4, character: 1 } });
  const actions = await server.connection.sendRequest(proto.CodeActionRequest.type, {
    textDocument: { uri }, range: d.range, context: { diagnostics: [d] },
  });
  const fixes = actions.filter((a) => a.kind === 'quickfix'); // the history commands follow
  assert.equal(fixes.length, 1);
  const [edit] = fixes[0].edit.changes[uri];
  assert.equal(edit.newText, '”');
  assert.equal(edit.range.start.line, 4);
  assert.equal(await stop(server), 0);
});

test('folding, selection ranges and semantic tokens', async () => {
  const server = start();
  await initialize(server);
  const uri = 'file:///tmp/features.txt';
  const text = 'Storm\n\nThe harbor\nclosed. “We are done,”\nshe said.\n\nNext part\n\nMore text\nhere.\n';
  open(server, uri, text);
  const folds = await server.connection.sendRequest(proto.FoldingRangeRequest.type, { textDocument: { uri } });
  assert.ok(folds.some((f) => f.startLine === 2 && f.endLine === 4));
  const [selection] = await server.connection.sendRequest(proto.SelectionRangeRequest.type, {
    textDocument: { uri }, positions: [{ line: 3, character: 12 }],
  });
  const chain = [];
  for (let s = selection; s; s = s.parent) chain.push(s.range);
  assert.deepEqual(chain[0], { start: { line: 3, character: 12 }, end: { line: 3, character: 15 } }); // "are"
  assert.ok(chain.length >= 5); // word, quotation words, quotation, sentence, paragraph, article
  const tokens = await server.connection.sendRequest(proto.SemanticTokensRequest.type, { textDocument: { uri } });
  assert.equal(tokens.data.length % 5, 0);
  assert.deepEqual(tokens.data.slice(0, 3), [0, 0, 5]); // the headline
  assert.equal(await stop(server), 0);
});

// --------------------------------------------------------------- history --

test('a version is recorded on save, visible to git, and dateline/recorded says so', NEEDS_SEED, async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, SEED);
    const server = start(s.env);
    await initialize(server);
    const uri = fileUri(file);
    open(server, uri, SEED);
    server.connection.sendNotification(proto.DidSaveTextDocumentNotification.type, { textDocument: { uri } });
    const recorded = await server.waitFor('dateline/recorded', (p) => p.uri === uri);
    assert.equal(recorded.recorded, true);
    assert.match(recorded.id, /^[0-9a-f]{40}$/);
    assert.equal(s.sgit('log', '--format=%H', 'refs/dateline/story.txt').trim(), recorded.id);
    assert.equal(s.sgit('show', `${recorded.id}:story.txt`), SEED);
    // Saving the same text again records nothing.
    server.connection.sendNotification(proto.DidSaveTextDocumentNotification.type, { textDocument: { uri } });
    await server.waitFor('dateline/recorded', (p) => p.recorded === false);
    assert.equal(s.sgit('rev-list', '--count', 'refs/dateline/story.txt').trim(), '1');
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('excluded paths and recordOnSave false record nothing', NEEDS_SEED, async () => {
  const s = scratch();
  try {
    fs.mkdirSync(path.join(s.repo, 'drafts'));
    const file = path.join(s.repo, 'drafts', 'x.txt');
    fs.writeFileSync(file, SEED);
    const server = start(s.env);
    await initialize(server, { initializationOptions: { exclude: [path.join(s.repo, 'drafts')] } });
    const uri = fileUri(file);
    open(server, uri, SEED);
    server.connection.sendNotification(proto.DidSaveTextDocumentNotification.type, { textDocument: { uri } });
    const log = await execute(server, 'dateline.log', { uri });
    assert.deepEqual(log.versions, []);
    assert.ok(!server.notes.some((n) => n.method === 'dateline/recorded'));
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('a failure to record is reported once through showMessage; the save is unaffected', NEEDS_SEED, async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, SEED);
    const notAStore = path.join(s.dir, 'not-a-store');
    fs.writeFileSync(notAStore, 'a regular file\n');
    const server = start(s.env);
    await initialize(server, { initializationOptions: { store: notAStore } });
    const uri = fileUri(file);
    open(server, uri, SEED);
    for (let i = 0; i < 3; i++)
      server.connection.sendNotification(proto.DidSaveTextDocumentNotification.type, { textDocument: { uri } });
    await server.waitFor('dateline/recorded', () => server.notes.filter((n) => n.method === 'dateline/recorded').length === 3);
    const recorded = server.notes.filter((n) => n.method === 'dateline/recorded').map((n) => n.params);
    for (const r of recorded) {
      assert.equal(r.recorded, false);
      assert.ok(r.error.length > 0);
    }
    const messages = server.notes.filter((n) => n.method === 'window/showMessage');
    assert.equal(messages.length, 1);
    assert.equal(messages[0].params.type, proto.MessageType.Warning);
    assert.match(messages[0].params.message, /not-a-store|store/);
    assert.match(messages[0].params.message, /recordOnSave/);
    assert.equal(fs.readFileSync(file, 'utf8'), SEED);
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('executeCommand results are the CLI --json output', NEEDS_SEED, async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, SEED);
    const server = start(s.env);
    await initialize(server, { initializationOptions: { recordOnSave: false } });
    const uri = fileUri(file);
    open(server, uri, SEED);

    const first = await execute(server, 'dateline.snapshot', { uri, note: 'first draft' });
    assert.equal(first.schema, 1);
    assert.equal(first.recorded, true);
    assert.equal(first.ref, 'refs/dateline/story.txt');
    assert.equal(first.file, file);

    // The server's text, not the file on disk, is what a snapshot records.
    const edited = SEED.replace('Parler sues Amazon', 'Parler sues Amazon.com');
    server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 }, contentChanges: [{ text: edited }],
    });
    const second = await execute(server, 'dateline.snapshot', { uri });
    assert.equal(second.recorded, true);
    assert.equal(s.sgit('show', `${second.id}:story.txt`), edited);
    const again = await execute(server, 'dateline.snapshot', { uri });
    assert.deepEqual(again, { ...second, recorded: false });

    const noted = await execute(server, 'dateline.note', { uri, note: 'headline fix' });
    assert.deepEqual(noted, JSON.parse(s.cli('note', 'story.txt', '-m', 'headline fix', '--json').out));

    const log = await execute(server, 'dateline.log', { uri });
    assert.deepEqual(log, JSON.parse(s.cli('log', 'story.txt', '--json').out));
    assert.equal(log.versions.length, 2);
    const annotated = await execute(server, 'dateline.log', { uri, n: 1, annotated: true });
    assert.deepEqual(annotated, JSON.parse(s.cli('log', 'story.txt', '--json', '-n', '1', '--annotated').out));

    const shown = await execute(server, 'dateline.show', { uri, rev: '@~1' });
    assert.deepEqual(shown, { schema: 1, id: first.id, content: SEED });
    assert.deepEqual(shown, JSON.parse(s.cli('show', '@~1', 'story.txt', '--json').out));

    // diff and blame of the current text: with the file saved, the CLI's.
    fs.writeFileSync(file, edited);
    assert.deepEqual(await execute(server, 'dateline.diff', { uri, rev: '@~1' }),
      JSON.parse(s.cli('diff', '@~1', file, '--json').out));
    assert.deepEqual(await execute(server, 'dateline.diff', { uri, rev: '@~1', rev2: '@' }),
      JSON.parse(s.cli('diff', '@~1', '@', file, '--json').out));
    const blame = await execute(server, 'dateline.blame', { uri });
    assert.deepEqual(blame, JSON.parse(s.cli('blame', 'story.txt', '--json').out));
    // Quotations are blamed too, each with the version that last changed its words.
    assert.ok(blame.quotations.length > 0);
    assert.ok(blame.quotations.every((q) => q.version && q.version.id === first.id));

    const restored = await execute(server, 'dateline.restore', { uri, rev: first.id.slice(0, 10) });
    assert.equal(restored.restored, first.id);
    assert.equal(fs.readFileSync(file, 'utf8'), SEED);
    assert.equal(restored.schema, 1);
    // With the editor's text equal to the file, a snapshot is the CLI's too.
    server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 3 }, contentChanges: [{ text: SEED }],
    });
    assert.deepEqual(await execute(server, 'dateline.snapshot', { uri }),
      JSON.parse(s.cli('snapshot', 'story.txt', '--json').out));

    await assert.rejects(execute(server, 'dateline.show', { uri, rev: 'nonsense' }), (e) => e.code === -32602);
    await assert.rejects(execute(server, 'dateline.note', { uri }), (e) => e.code === -32602);
    await assert.rejects(execute(server, 'dateline.bogus', { uri }), (e) => e.code === -32602);
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('hover on a paragraph shows its blame; on a quotation its speaker', NEEDS_SEED, async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, SEED);
    const server = start(s.env);
    await initialize(server);
    const uri = fileUri(file);
    open(server, uri, SEED);
    const v = await execute(server, 'dateline.snapshot', { uri, note: 'filed' });
    const hover = await server.connection.sendRequest(proto.HoverRequest.type, {
      textDocument: { uri }, position: { line: 4, character: 5 },
    });
    assert.match(hover.contents.value, /¶ 2/);
    assert.ok(hover.contents.value.includes(v.id.slice(0, 10)));
    assert.match(hover.contents.value, /Jane Doe/);
    assert.match(hover.contents.value, /filed/);
    const onQuote = await server.connection.sendRequest(proto.HoverRequest.type, {
      textDocument: { uri }, position: { line: 8, character: 5 },
    });
    assert.match(onQuote.contents.value, /Quotation.*the company/);
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('a changed quotation since the last annotated version is a warning', NEEDS_SEED, async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, SEED);
    const server = start(s.env);
    await initialize(server);
    const uri = fileUri(file);
    open(server, uri, SEED);
    await execute(server, 'dateline.snapshot', { uri, note: 'filed' });
    const changed = SEED.replace('“Hang Mike Pence”', '“Hang Mike Pence now”');
    assert.notEqual(changed, SEED);
    server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 }, contentChanges: [{ text: changed }],
    });
    fs.writeFileSync(file, changed);
    server.connection.sendNotification(proto.DidSaveTextDocumentNotification.type, { textDocument: { uri } });
    const published = await server.waitFor('textDocument/publishDiagnostics',
      (p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'quotation-changed'));
    const d = published.diagnostics.find((x) => x.code === 'quotation-changed');
    assert.equal(d.severity, proto.DiagnosticSeverity.Warning);
    assert.match(d.message, /filed/);
    assert.match(d.message, /Hang Mike Pence/);
    assert.equal(d.range.start.line, 10);
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('the quotation warning follows the annotated version from save to save', NEEDS_SEED, async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, SEED);
    const server = start(s.env);
    await initialize(server);
    const uri = fileUri(file);
    open(server, uri, SEED);
    await execute(server, 'dateline.snapshot', { uri, note: 'filed' });
    const quoteChanged = (p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'quotation-changed');
    const save = (text, version) => {
      server.notes.length = 0; // wait for what follows this save only
      server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version }, contentChanges: [{ text }],
      });
      fs.writeFileSync(file, text);
      server.connection.sendNotification(proto.DidSaveTextDocumentNotification.type, { textDocument: { uri } });
    };
    const changed = SEED.replace('“Hang Mike Pence”', '“Hang Mike Pence now”');
    save(changed, 2);
    await server.waitFor('textDocument/publishDiagnostics', quoteChanged);
    // Saves without a note: still compared with the annotated version.
    for (const [version, more] of [[3, 'More.'], [4, 'More, more.']]) {
      save(`${changed}\n${more}\n`, version);
      await server.waitFor('dateline/recorded', (p) => p.uri === uri);
      const still = await server.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
      assert.ok(quoteChanged(still), `after save ${version}`);
    }
    // Annotating the latest version makes it the one to compare with.
    await execute(server, 'dateline.note', { uri, note: 'checked' });
    save(changed + '\nMore, more, more.\n', 5);
    await server.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && !quoteChanged(p));
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

// ------------------------------------------------------ dateline/article --

test('dateline/article: the model of the unsaved text, as `dateline outline --json` prints it', NEEDS_SEED, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dateline-article-'));
  try {
    const server = start();
    await initialize(server);
    const uri = 'untitled:story';
    open(server, uri, SEED);
    const file = path.join(dir, 'story.txt');
    fs.writeFileSync(file, SEED);
    const cli = JSON.parse(spawnSync(BIN, ['outline', '--json', file], { encoding: 'utf8' }).stdout);
    assert.deepEqual(await server.connection.sendRequest('dateline/article', { textDocument: { uri } }), cli);
    // Typed but not saved: the server answers for its own text.
    const edited = SEED.replace('Last month, Twitter', 'Last month, as expected, Twitter');
    server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 }, contentChanges: [{ text: edited }],
    });
    fs.writeFileSync(file, edited);
    const after = JSON.parse(spawnSync(BIN, ['outline', '--json', file], { encoding: 'utf8' }).stdout);
    const model = await server.connection.sendRequest('dateline/article', { textDocument: { uri } });
    assert.deepEqual(model, after);
    assert.equal(model.stats.words, cli.stats.words + 2);
    assert.equal(model.blocks[2].paragraph, 3);
    // A status line's request: the counts alone, as `dateline stats --json`.
    const stats = JSON.parse(spawnSync(BIN, ['stats', '--json', file], { encoding: 'utf8' }).stdout);
    assert.deepEqual(
      await server.connection.sendRequest('dateline/article', { textDocument: { uri }, only: 'stats' }), stats);
    await assert.rejects(
      server.connection.sendRequest('dateline/article', { textDocument: { uri }, only: 'speakers' }),
      (e) => e.code === -32602);
    assert.equal(await stop(server), 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ----------------------------------------------- inputs and the workspace --

// initialize with the workspace folder `root` (a path), as editors send it.
async function initializeIn(server, root, initializationOptions) {
  await server.connection.sendRequest(proto.InitializeRequest.type, {
    processId: process.pid,
    rootUri: fileUri(root),
    workspaceFolders: [{ uri: fileUri(root), name: path.basename(root) }],
    capabilities: {},
    initializationOptions,
  });
  server.connection.sendNotification(proto.InitializedNotification.type, {});
}

const save = (server, uri) =>
  server.connection.sendNotification(proto.DidSaveTextDocumentNotification.type, { textDocument: { uri } });

test('a FIFO is refused at once; the next save is recorded and shutdown works', async () => {
  const s = scratch();
  try {
    const fifo = path.join(s.repo, 'pipe.txt');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, FIXTURE);
    const server = start(s.env);
    await initializeIn(server, s.repo);
    await assert.rejects(execute(server, 'dateline.snapshot', { uri: fileUri(fifo) }),
      (e) => e.code === -32602 && /named pipe/.test(e.message));
    const uri = fileUri(file);
    open(server, uri, FIXTURE);
    save(server, uri);
    const recorded = await server.waitFor('dateline/recorded', (p) => p.uri === uri);
    assert.equal(recorded.recorded, true);
    assert.equal(s.sgit('rev-parse', 'refs/dateline/story.txt').trim(), recorded.id);
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('files outside the workspace are neither recorded nor restored: InvalidParams', async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, FIXTURE);
    const outside = path.join(s.dir, 'outside.txt');
    fs.writeFileSync(outside, FIXTURE);
    const server = start(s.env);
    await initializeIn(server, s.repo);
    for (const uri of ['file:///etc/hostname', fileUri(outside)]) {
      await assert.rejects(execute(server, 'dateline.snapshot', { uri }),
        (e) => e.code === -32602 && /outside the workspace/.test(e.message), uri);
      await assert.rejects(execute(server, 'dateline.restore', { uri, rev: '@' }),
        (e) => e.code === -32602 && /outside the workspace/.test(e.message), uri);
    }
    // A link inside the workspace that points out of it is outside too.
    fs.symlinkSync(outside, path.join(s.repo, 'link.txt'));
    await assert.rejects(execute(server, 'dateline.snapshot', { uri: fileUri(path.join(s.repo, 'link.txt')) }),
      (e) => e.code === -32602);
    // Saving an opened file outside the workspace records nothing and says why.
    open(server, fileUri(outside), FIXTURE);
    save(server, fileUri(outside));
    const refused = await server.waitFor('dateline/recorded', (p) => p.uri === fileUri(outside));
    assert.equal(refused.recorded, false);
    assert.match(refused.error, /outside the workspace/);
    // Inside, everything works.
    const first = await execute(server, 'dateline.snapshot', { uri: fileUri(file) });
    assert.equal(first.recorded, true);
    assert.equal(await stop(server), 0);
    assert.equal(s.cli('log', outside).out, '');
  } finally {
    s.cleanup();
  }
});

test('without workspace folders only the files the client opened have history', async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, FIXTURE);
    const server = start(s.env);
    await initialize(server);
    await assert.rejects(execute(server, 'dateline.snapshot', { uri: 'file:///etc/hostname' }),
      (e) => e.code === -32602 && /not a file opened/.test(e.message));
    await assert.rejects(execute(server, 'dateline.snapshot', { uri: fileUri(file) }),
      (e) => e.code === -32602);
    open(server, fileUri(file), FIXTURE);
    assert.equal((await execute(server, 'dateline.snapshot', { uri: fileUri(file) })).recorded, true);
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('wrongly typed positions, ranges and command arguments are InvalidParams, not position 0', async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, FIXTURE);
    const server = start(s.env);
    await initializeIn(server, s.repo);
    const uri = fileUri(file);
    open(server, uri, FIXTURE);
    const invalid = (e) => e.code === -32602;
    const send = (method, params) => server.connection.sendRequest(method, params);
    await assert.rejects(send('textDocument/hover', { textDocument: { uri }, position: 'x' }), invalid);
    await assert.rejects(send('textDocument/hover', { textDocument: { uri }, position: { line: '0', character: 0 } }), invalid);
    await assert.rejects(send('textDocument/hover', { textDocument: { uri }, position: { line: -1, character: 0 } }), invalid);
    await assert.rejects(send('textDocument/selectionRange', { textDocument: { uri }, positions: [{ line: 0 }] }), invalid);
    await assert.rejects(send('textDocument/codeAction', { textDocument: { uri }, range: 7, context: { diagnostics: [] } }), invalid);
    await assert.rejects(send('textDocument/documentSymbol', { textDocument: { uri: 42 } }), invalid);
    await assert.rejects(send('workspace/executeCommand', { command: 'dateline.log', arguments: { uri } }), invalid);
    await assert.rejects(execute(server, 'dateline.snapshot', { uri, note: 5 }), invalid);
    await assert.rejects(execute(server, 'dateline.restore', { uri, rev: '@', force: 'yes' }), invalid);
    // A well-typed request still works.
    const hover = await send('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.ok(hover === null || typeof hover.contents.value === 'string');
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('dateline.restore refuses a read-only file unless "force" is true', async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, FIXTURE);
    const server = start(s.env);
    await initializeIn(server, s.repo);
    const uri = fileUri(file);
    const first = await execute(server, 'dateline.snapshot', { uri });
    fs.writeFileSync(file, FIXTURE + '\nA last paragraph.\n');
    await execute(server, 'dateline.snapshot', { uri });
    fs.chmodSync(file, 0o444);
    await assert.rejects(execute(server, 'dateline.restore', { uri, rev: '@~1' }),
      (e) => e.code === -32602 && /read-only/.test(e.message));
    assert.equal(fs.readFileSync(file, 'utf8'), FIXTURE + '\nA last paragraph.\n');
    const restored = await execute(server, 'dateline.restore', { uri, rev: '@~1', force: true });
    assert.equal(restored.restored, first.id);
    assert.equal(fs.readFileSync(file, 'utf8'), FIXTURE);
    assert.equal(fs.statSync(file).mode & 0o777, 0o444);
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('a stuck history job is abandoned by the watchdog: the user is told once, later saves are recorded, exit works', async () => {
  const s = scratch();
  try {
    // A store whose list of alternate object stores is a FIFO: libgit2's
    // open() of it, on the first object read, blocks for good, as on a
    // stuck network file system. (A FIFO as the store's config or HEAD is
    // refused before libgit2 sees it.)
    const store = path.join(s.dir, 'store.git');
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, FIXTURE);
    assert.equal(s.cli('snapshot', '--store', store, file).status, 0);
    const stuck = path.join(store, 'objects', 'info', 'alternates');
    assert.equal(spawnSync('mkfifo', [stuck]).status, 0);
    const server = start(s.env);
    await initializeIn(server, s.repo, { store, jobTimeoutMs: 300 });
    const uri = fileUri(file);
    open(server, uri, FIXTURE);
    save(server, uri);
    const told = await server.waitFor('window/showMessage', (p) => /abandoned/.test(p.message));
    assert.match(told.message, /later saves are recorded/);
    const abandoned = await server.waitFor('dateline/recorded', (p) => p.uri === uri);
    assert.equal(abandoned.recorded, false);
    assert.match(abandoned.error, /abandoned/);
    // A request stuck the same way is answered, not left hanging.
    await assert.rejects(execute(server, 'dateline.log', { uri }),
      (e) => e.code === -32603 && /abandoned/.test(e.message));
    assert.equal(server.notes.filter((n) => n.method === 'window/showMessage').length, 1, 'told once');
    // The disk recovers: the next save is recorded by a fresh worker.
    fs.rmSync(stuck);
    const edited = FIXTURE + '\nA last paragraph.\n';
    fs.writeFileSync(file, edited);
    server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 }, contentChanges: [{ text: edited }],
    });
    save(server, uri);
    const recorded = await server.waitFor('dateline/recorded', (p) => p.uri === uri && p.recorded);
    assert.ok(s.git('--git-dir', store, 'log', '--all', '--format=%H').includes(recorded.id));
    assert.equal(await stop(server), 0, 'shutdown and exit with a thread still stuck');
  } finally {
    s.cleanup();
  }
});

// ------------------------------------------------------ semantic tokens --

test('semantic tokens use standard types, with the article kind as a modifier', async () => {
  const server = start();
  const { capabilities } = await initialize(server);
  const { tokenTypes, tokenModifiers } = capabilities.semanticTokensProvider.legend;
  // Every type is one the protocol defines, so editors colour it unconfigured.
  const standard = new Set(Object.values(proto.SemanticTokenTypes));
  for (const t of tokenTypes) assert.ok(standard.has(t), `${t} is a standard token type`);
  const uri = 'file:///tmp/tokens.txt';
  const text = 'Storm\n\nLONDON (AP) — The harbor closed, {--old--}{++new++} 42 boats.\n“We are done,” she said.\n';
  open(server, uri, text);
  const { data } = await server.connection.sendRequest(proto.SemanticTokensRequest.type, { textDocument: { uri } });
  const lines = text.split('\n');
  const tokens = [];
  for (let i = 0, line = 0, ch = 0; i < data.length; i += 5) {
    line += data[i];
    ch = data[i] === 0 ? ch + data[i + 1] : data[i + 1];
    const mods = tokenModifiers.filter((_, bit) => data[i + 4] & (1 << bit));
    tokens.push({ text: lines[line].slice(ch, ch + data[i + 2]), type: tokenTypes[data[i + 3]], mods });
  }
  const kind = (k) => tokens.find((t) => t.mods.includes(k));
  assert.deepEqual(kind('headline'), { text: 'Storm', type: 'class', mods: ['declaration', 'headline'] });
  assert.equal(kind('dateline').type, 'macro');
  assert.match(kind('quotation').text, /We are done/);
  assert.equal(kind('quotation').type, 'string');
  assert.equal(kind('verb').type, 'keyword');
  assert.equal(kind('speaker').type, 'parameter');
  assert.deepEqual(kind('deletion').mods, ['deprecated', 'deletion']);
  assert.equal(kind('deletion').type, 'comment');
  assert.equal(kind('addition').type, 'comment');
  assert.deepEqual(kind('number'), { text: '42', type: 'number', mods: ['number'] });
  assert.equal(await stop(server), 0);
});

// ------------------------------------------- history for every client --

test('every history command is a source code action with its arguments filled in', async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, FIXTURE);
    const server = start(s.env);
    const { capabilities } = await server.connection.sendRequest(proto.InitializeRequest.type, {
      processId: process.pid, rootUri: fileUri(s.repo), capabilities: {},
    });
    server.connection.sendNotification(proto.InitializedNotification.type, {});
    assert.ok(capabilities.codeActionProvider.codeActionKinds.includes('source.dateline.restore'));
    const uri = fileUri(file);
    open(server, uri, FIXTURE);
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const actions = await server.connection.sendRequest(proto.CodeActionRequest.type, {
      textDocument: { uri }, range, context: { diagnostics: [], only: [proto.CodeActionKind.Source] },
    });
    assert.deepEqual(actions.map((a) => a.kind), [
      'source.dateline.snapshot', 'source.dateline.log', 'source.dateline.diff',
      'source.dateline.blame', 'source.dateline.restore',
    ]);
    for (const a of actions) assert.equal(a.command.arguments[0].uri, uri);
    assert.equal(actions.at(-1).command.arguments[0].rev, '@');
    // Run as the client would: the action's own command and arguments.
    const snapshot = await server.connection.sendRequest(proto.ExecuteCommandRequest.type, actions[0].command);
    assert.equal(snapshot.recorded, true);
    const log = await server.connection.sendRequest(proto.ExecuteCommandRequest.type, actions[1].command);
    assert.equal(log.versions[0].id, snapshot.id);
    // Asking only for quick fixes leaves the history out.
    const fixes = await server.connection.sendRequest(proto.CodeActionRequest.type, {
      textDocument: { uri }, range, context: { diagnostics: [], only: [proto.CodeActionKind.QuickFix] },
    });
    assert.equal(fixes.filter((a) => a.kind.startsWith('source')).length, 0);
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('executeCommand with no arguments or a bare URI acts on the active document', async () => {
  const s = scratch();
  try {
    const a = path.join(s.repo, 'a.txt'), b = path.join(s.repo, 'b.txt');
    fs.writeFileSync(a, FIXTURE);
    fs.writeFileSync(b, FIXTURE + '\nAnother paragraph.\n');
    const server = start(s.env);
    await initializeIn(server, s.repo);
    open(server, fileUri(a), FIXTURE);
    open(server, fileUri(b), FIXTURE + '\nAnother paragraph.\n');
    // b was opened last: a snapshot without arguments records b.
    const none = await server.connection.sendRequest(proto.ExecuteCommandRequest.type, { command: 'dateline.snapshot' });
    assert.equal(path.basename(none.file), 'b.txt');
    // A bare URI string names the document.
    const bare = await server.connection.sendRequest(proto.ExecuteCommandRequest.type,
      { command: 'dateline.snapshot', arguments: [fileUri(a)] });
    assert.equal(path.basename(bare.file), 'a.txt');
    // Editing a makes it the active one.
    server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
      textDocument: { uri: fileUri(a), version: 2 }, contentChanges: [{ text: FIXTURE + '\nEdited.\n' }],
    });
    const empty = await server.connection.sendRequest(proto.ExecuteCommandRequest.type,
      { command: 'dateline.log', arguments: [] });
    assert.equal(path.basename(empty.file), 'a.txt');
    // With every document closed there is nothing to act on.
    for (const f of [a, b])
      server.connection.sendNotification(proto.DidCloseTextDocumentNotification.type, { textDocument: { uri: fileUri(f) } });
    await assert.rejects(server.connection.sendRequest(proto.ExecuteCommandRequest.type, { command: 'dateline.log' }),
      (e) => e.code === -32602 && /no document is open/.test(e.message));
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('a save records the bytes on disk, says so in the log, and falls back to the editor text only when the file is unreadable', async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    const server = start(s.env);
    await initializeIn(server, s.repo);
    const uri = fileUri(file);
    open(server, uri, FIXTURE);
    // The editor converted line endings on write: the file, not the buffer, is the version.
    const crlf = FIXTURE.replace(/\n/g, '\r\n');
    fs.writeFileSync(file, crlf);
    save(server, uri);
    const recorded = await server.waitFor('dateline/recorded', (p) => p.uri === uri);
    assert.equal(recorded.recorded, true);
    assert.equal(recorded.warning, undefined);
    assert.equal(s.sgit('show', `${recorded.id}:story.txt`), crlf);
    const log = await server.waitFor('window/logMessage', (p) => p.message.includes(recorded.id.slice(0, 7)));
    assert.match(log.message, /recorded .* of story\.txt/);
    // The file is gone: the editor's text stands in, and the client is told.
    fs.rmSync(file);
    server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 }, contentChanges: [{ text: FIXTURE + '\nMore.\n' }],
    });
    save(server, uri);
    const fallback = await server.waitFor('dateline/recorded', (p) => p.uri === uri && p.id !== recorded.id);
    assert.equal(fallback.recorded, true);
    assert.match(fallback.warning, /could not be read.*editor's text was used/);
    assert.equal(s.sgit('show', `${fallback.id}:story.txt`), FIXTURE + '\nMore.\n');
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('opening an article whose file changed outside the editor records it with a note', async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, FIXTURE);
    assert.equal(s.cli('snapshot', 'story.txt').status, 0);
    // Another program edits the file while no editor has it open.
    const changed = FIXTURE + '\nA paragraph from elsewhere.\n';
    fs.writeFileSync(file, changed);
    const server = start(s.env);
    await initializeIn(server, s.repo);
    const uri = fileUri(file);
    open(server, uri, changed);
    const recorded = await server.waitFor('dateline/recorded', (p) => p.uri === uri);
    assert.equal(recorded.recorded, true);
    assert.equal(recorded.note, 'changed outside the editor');
    assert.equal(s.sgit('show', `${recorded.id}:story.txt`), changed);
    assert.equal(s.sgit('notes', '--ref=dateline', 'show', recorded.id).trim(), 'changed outside the editor');
    // An unchanged file records nothing when opened again.
    server.connection.sendNotification(proto.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    open(server, uri, changed);
    const log = await execute(server, 'dateline.log', { uri });
    assert.equal(log.versions.length, 2);
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

// ------------------------------------------------ restore into the editor --

// An article's version with CRLF line ends and no final newline: the edit
// must carry its bytes exactly.
const CRLF_VERSION = FIXTURE.replace(/\n/g, '\r\n').trimEnd();

// A server whose client applies edits (answering `applied`), with one
// version recorded (CRLF_VERSION), the file then saved with other text and
// the buffer holding unsaved text on top. Returns what the test needs.
async function restoreSetup(s, applied, options = {}) {
  const file = path.join(s.repo, 'story.txt');
  fs.writeFileSync(file, CRLF_VERSION);
  const server = start(s.env);
  const edits = [];
  server.connection.onRequest(proto.ApplyWorkspaceEditRequest.type, (params) => {
    edits.push(params);
    // null: an editor that never answers.
    return applied === null ? new Promise(() => {}) : { applied };
  });
  await initialize(server, {
    capabilities: { workspace: { applyEdit: true } },
    initializationOptions: { recordOnSave: false, ...options },
  });
  const uri = fileUri(file);
  open(server, uri, CRLF_VERSION);
  const version = await execute(server, 'dateline.snapshot', { uri });
  const saved = FIXTURE + '\nSaved later.\n';
  fs.writeFileSync(file, saved);
  const unsaved = saved + 'Not saved yet: “é” 𝄞\n';
  server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: 2 }, contentChanges: [{ text: unsaved }],
  });
  return { server, edits, file, uri, version, saved, unsaved };
}

test('restore with an editor that applies edits: the buffer gets the version, the file is untouched', async () => {
  const s = scratch();
  try {
    const { server, edits, file, uri, version, saved, unsaved } = await restoreSetup(s, true);
    const result = await execute(server, 'dateline.restore', { uri, rev: version.id.slice(0, 10) });
    assert.equal(result.applied, true);
    assert.equal(result.restored, version.id);
    assert.equal(edits.length, 1);
    const changes = edits[0].edit.changes[uri];
    assert.equal(changes.length, 1);
    assert.equal(changes[0].newText, CRLF_VERSION);
    // The whole document: to the end of its last line, in UTF-16 units.
    const lines = unsaved.split('\n');
    assert.deepEqual(changes[0].range, {
      start: { line: 0, character: 0 },
      end: { line: lines.length - 1, character: lines[lines.length - 1].length },
    });
    assert.equal(fs.readFileSync(file, 'utf8'), saved);
    // The unsaved text was recorded first: the restore loses nothing.
    assert.equal(result.id, (await execute(server, 'dateline.log', { uri })).versions[0].id);
    assert.equal(s.sgit('show', `${result.id}:story.txt`), unsaved);
    assert.ok(!server.notes.some((n) => n.method === 'window/showMessage'));
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('restore when the editor refuses the edit: the file is written and the editor told to reload', async () => {
  const s = scratch();
  try {
    const { server, edits, file, uri, version } = await restoreSetup(s, false);
    const result = await execute(server, 'dateline.restore', { uri, rev: version.id });
    assert.equal(edits.length, 1);
    assert.equal(result.applied, false);
    assert.equal(result.restored, version.id);
    assert.equal(fs.readFileSync(file, 'utf8'), CRLF_VERSION);
    const message = await server.waitFor('window/showMessage');
    assert.match(message.message, /reload/);
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('restore when the editor never answers the edit: the file is written after the bound', async () => {
  const s = scratch();
  try {
    // The bound is half the job timeout, at most 5 s.
    const { server, edits, file, uri, version } = await restoreSetup(s, null, { jobTimeoutMs: 1000 });
    const result = await execute(server, 'dateline.restore', { uri, rev: version.id });
    assert.equal(edits.length, 1);
    assert.equal(result.applied, false);
    assert.equal(fs.readFileSync(file, 'utf8'), CRLF_VERSION);
    assert.match((await server.waitFor('window/showMessage')).message, /reload/);
    // The server still answers once the wait is over.
    assert.equal((await execute(server, 'dateline.log', { uri })).versions[0].id, result.id);
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

test('a save that is not UTF-8 text is recorded byte-exact and flagged in the log', async () => {
  const s = scratch();
  try {
    const file = path.join(s.repo, 'story.txt');
    const server = start(s.env);
    await initializeIn(server, s.repo);
    const uri = fileUri(file);
    open(server, uri, FIXTURE);
    // The editor wrote Latin-1 (an é as the single byte 0xe9), then a NUL.
    const seen = [];
    for (const bytes of [Buffer.from('Caf\xe9\n', 'latin1'), Buffer.from('bin\0ary', 'latin1')]) {
      fs.writeFileSync(file, bytes);
      save(server, uri);
      const recorded = await server.waitFor('dateline/recorded', (p) => p.uri === uri && !seen.includes(p.id));
      seen.push(recorded.id);
      assert.equal(recorded.recorded, true);
      const stored = spawnSync('git', ['--git-dir=.git/dateline', 'cat-file', 'blob', `${recorded.id}:story.txt`], { cwd: s.repo, env: s.env });
      assert.ok(stored.stdout.equals(bytes), `git gives back ${stored.stdout.toString('hex')}`);
    }
    const log = await execute(server, 'dateline.log', { uri });
    assert.deepEqual(log.versions.map((v) => v.text), [false, false]);
    assert.match(log.versions[0].summary, /^not text: 7 bytes/);
    assert.equal(await stop(server), 0);
  } finally {
    s.cleanup();
  }
});

// ---------------------------------------------------- overlapping saves --

// An article whose every paragraph differs from one round to the next:
// recording it keeps the history worker busy for a while (a tenth of a
// second or so), so the saves queued behind it are read late, when the
// editor may already be writing the next one.
function busyArticle(round) {
  const words = ['council', 'budget', 'water', 'vote', 'road', 'school', 'fund', 'mayor'];
  const paragraphs = [];
  for (let i = 0; i < 4000; i++) {
    const line = [];
    for (let j = 0; j < 40; j++) line.push(words[(i * 7 + j * 3 + round) % words.length]);
    paragraphs.push(`${line.join(' ')} ${round}.${i}.`);
  }
  return `Busy headline\n\n${paragraphs.join('\n\n')}\n`;
}

// The bytes of a recorded version, through the CLI with the server's store.
function versionBytes(s, id, file) {
  const r = spawnSync(BIN, ['show', id, file], { cwd: s.repo, env: s.env });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}

// Keep the worker busy, then write `bytes` to story.txt and save it;
// `after` runs once the save is sent, while the worker is still busy.
// Resolves with that save's dateline/recorded.
async function busySave(server, s, uri, round, bytes, after = () => {}) {
  const uriSaves = () =>
    server.notes.filter((n) => n.method === 'dateline/recorded' && n.params.uri === uri);
  const before = uriSaves().length;
  const big = path.join(s.repo, 'busy.txt');
  fs.writeFileSync(big, busyArticle(round));
  const busy = execute(server, 'dateline.snapshot', { uri: fileUri(big) });
  fs.writeFileSync(path.join(s.repo, 'story.txt'), bytes);
  save(server, uri);
  after();
  await server.waitFor('dateline/recorded', (p) => p.uri === uri && uriSaves().length > before);
  await busy;
  return uriSaves()[before].params;
}

test('a save whose file the next save is already rewriting is recorded as saved, never empty', async () => {
  const s = scratch();
  const server = start(s.env);
  try {
    const file = path.join(s.repo, 'story.txt');
    await initializeIn(server, s.repo);
    const uri = fileUri(file);
    let version = 1;
    open(server, uri, FIXTURE, version);
    const change = (text) =>
      server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version: ++version }, contentChanges: [{ text }],
      });
    const wrong = [];
    for (let round = 0; round < 20; round++) {
      const saved = `${FIXTURE}\nSave ${round}.\n`;
      change(saved);
      // Save `saved`, then at once: the writer types on, and the editor's
      // next save truncates the file before writing it (as Neovim does).
      const recorded = await busySave(server, s, uri, round, saved, () => {
        change(`${saved}Typed after save ${round}.\n`);
        fs.truncateSync(file, 0);
      });
      // Unrecorded (no error: "unchanged") or recorded with other bytes, both lose the save.
      const bytes = recorded.id ? versionBytes(s, recorded.id, 'story.txt').toString() : null;
      if (!recorded.recorded || bytes !== saved)
        wrong.push(`round ${round}: ${recorded.recorded ? 'recorded' : 'not recorded'} ${JSON.stringify(bytes?.slice(-16))}`);
    }
    assert.deepEqual(wrong, []);
    assert.equal(await stop(server), 0);
  } finally {
    server.child.kill(); // a failed assertion must not leave it running
    s.cleanup();
  }
});

test('a save the file holds differently from the editor (Latin-1, CRLF, a BOM) is recorded from disk, byte-exact', async () => {
  const s = scratch();
  const server = start(s.env);
  try {
    const file = path.join(s.repo, 'story.txt');
    await initializeIn(server, s.repo);
    const uri = fileUri(file);
    let version = 1;
    const change = (text) =>
      server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version: ++version }, contentChanges: [{ text }],
      });
    // The editor holds UTF-8 and wrote Latin-1; nothing changed after the save.
    open(server, uri, 'Café au lait\n\nA cup of café.\n', version);
    const latin1 = Buffer.from('Caf\xe9 au lait\n\nA cup of caf\xe9.\n', 'latin1');
    const first = await busySave(server, s, uri, 0, latin1);
    assert.ok(versionBytes(s, first.id, 'story.txt').equals(latin1));
    // The editor holds LF lines; the write added a BOM, CRLF, and dropped
    // the final line break. The writer typed on at once: the file is still
    // this save's, written differently, so it is what is recorded.
    change('Headline\n\nFirst paragraph.\n');
    const crlf = Buffer.from('\ufeffHeadline\r\n\r\nFirst paragraph.', 'utf8');
    const second = await busySave(server, s, uri, 1, crlf, () => change('Headline\n\nFirst paragraph. More\n'));
    assert.ok(versionBytes(s, second.id, 'story.txt').equals(crlf));
    assert.equal(await stop(server), 0);
  } finally {
    server.child.kill(); // a failed assertion must not leave it running
    s.cleanup();
  }
});

test('willSave is asked for, and a save begun after a queued one keeps that one from its half-written file', async () => {
  const s = scratch();
  const server = start(s.env);
  try {
    const file = path.join(s.repo, 'story.txt');
    const result = await server.connection.sendRequest(proto.InitializeRequest.type, {
      processId: process.pid,
      rootUri: fileUri(s.repo),
      workspaceFolders: [{ uri: fileUri(s.repo), name: 'repo' }],
      capabilities: {},
    });
    server.connection.sendNotification(proto.InitializedNotification.type, {});
    assert.equal(result.capabilities.textDocumentSync.willSave, true);
    const uri = fileUri(file);
    const saved = `${FIXTURE}\nSaved once.\n`;
    open(server, uri, saved);
    // No edit in between: the editor writes the same text again, and the
    // worker, busy, reads the file while that write has only truncated it.
    const recorded = await busySave(server, s, uri, 0, saved, () => {
      server.connection.sendNotification(proto.WillSaveTextDocumentNotification.type, {
        textDocument: { uri }, reason: proto.TextDocumentSaveReason.Manual,
      });
      fs.truncateSync(file, 0);
    });
    assert.equal(recorded.recorded, true, JSON.stringify(recorded));
    assert.equal(versionBytes(s, recorded.id, 'story.txt').toString(), saved);
    const line = await server.waitFor('window/logMessage', (p) => p.message.includes(recorded.id.slice(0, 7)));
    assert.match(line.message, /later save: the editor's text of this save was recorded/);
    assert.equal(await stop(server), 0);
  } finally {
    server.child.kill(); // a failed assertion must not leave it running
    s.cleanup();
  }
});

test('a save made before the open is looked at is recorded once, never as "changed outside the editor"', async () => {
  const s = scratch();
  const server = start(s.env);
  try {
    const file = path.join(s.repo, 'story.txt');
    fs.writeFileSync(file, FIXTURE);
    assert.equal(s.cli('snapshot', 'story.txt').status, 0);
    await initializeIn(server, s.repo);
    const uri = fileUri(file);
    const wrong = [];
    for (let round = 0; round < 5; round++) {
      // The worker is busy when the editor opens the article, edits it and
      // writes it: by the time the open is looked at, the file on disk is
      // the editor's own save, which its didSave records.
      const big = path.join(s.repo, 'busy.txt');
      fs.writeFileSync(big, busyArticle(round));
      const busy = execute(server, 'dateline.snapshot', { uri: fileUri(big) });
      const opened = fs.readFileSync(file, 'utf8');
      open(server, uri, opened, 1);
      const saved = `${opened}\nSaved in round ${round}.\n`;
      server.connection.sendNotification(proto.DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version: 2 }, contentChanges: [{ text: saved }],
      });
      fs.writeFileSync(file, saved);
      save(server, uri);
      await server.waitFor('dateline/recorded', (p) => p.uri === uri && p.note === undefined);
      await busy;
      server.connection.sendNotification(proto.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
      const log = await execute(server, 'dateline.log', { uri });
      const notes = log.versions.filter((v) => v.note === 'changed outside the editor').length;
      if (log.versions.length !== round + 2 || notes !== 0)
        wrong.push(`round ${round}: ${log.versions.length} versions, ${notes} "changed outside"`);
    }
    assert.deepEqual(wrong, []);
    assert.equal(await stop(server), 0);
  } finally {
    server.child.kill();
    s.cleanup();
  }
});
