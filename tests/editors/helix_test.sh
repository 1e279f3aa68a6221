#!/usr/bin/env bash
# The Helix languages.toml block of docs/editors.md: Helix itself is not
# packaged for Debian 12, so this checks what can be checked without it —
# the block parses as TOML, starts `dateline lsp`, and its file-type globs
# take the articles dateline detects and leave a note alone.
set -u
. "${DATELINE_ROOT:?}/tests/sh/tap.sh"
scratch_git_world

awk '/^## Helix/ {n=1} n && /^```toml/ {code=1; next} code && /^```/ {exit} code' \
    "$ROOT/docs/editors.md" >"$scratch/languages.toml"
if ! python3 -c 'import tomllib' 2>/dev/null; then
    tap_skip "the Helix block" "python3 has no tomllib (Python 3.11 or newer)"
    done_testing
    exit 0
fi

# file_types LANGUAGES_TOML NAME...: per NAME, "NAME article" when one of the
# article language's file-types (an extension or a glob) takes it, else "NAME -".
cat >"$scratch/helix.py" <<'PY'
import fnmatch, sys, tomllib
with open(sys.argv[1], 'rb') as f:
    config = tomllib.load(f)
server = config['language-server']['dateline']
print('server', server['command'], *server['args'])
article = next(l for l in config['language'] if l['name'] == 'article')
print('servers', *article['language-servers'])
for name in sys.argv[2:]:
    taken = any(
        fnmatch.fnmatch(name, t['glob']) if isinstance(t, dict) else name.endswith('.' + t)
        for t in article['file-types'])
    print(name, 'article' if taken else '-')
PY
out=$(python3 "$scratch/helix.py" "$scratch/languages.toml" story.article 000_8262d85f5fa5c412.txt notes.txt 2>&1)
check_eq "the languages.toml block starts dateline lsp for articles" "server dateline lsp
servers dateline" "$(head -n2 <<<"$out")"
check_eq "its file-types take *.article and a seed-named .txt, not a note" "story.article article
000_8262d85f5fa5c412.txt article
notes.txt -" "$(tail -n +3 <<<"$out")"

done_testing
