#!/usr/bin/env bash
# Vim with ALE, configured by the block of docs/editors.md as printed there:
# ALE starts `dateline lsp` and shows its diagnostic for an unclosed quote.
set -u
. "${DATELINE_ROOT:?}/tests/sh/tap.sh"
scratch_git_world
EDITOR_TIMEOUT=${DATELINE_EDITOR_TIMEOUT:-30}

if ! command -v vim >/dev/null 2>&1 || [ ! -d /usr/share/vim/vimfiles/pack/dist-bundle/opt/ale ]; then
    tap_skip "Vim with ALE" "vim or Debian's vim-ale is not installed (./build.sh deps installs them)"
    done_testing
    exit 0
fi

awk '/^## Vim \(ALE\)/ {n=1} n && /^```vim/ {code=1; next} code && /^```/ {exit} code' \
    "$ROOT/docs/editors.md" >"$scratch/vimrc"
mkdir -p "$scratch/news"
printf '%s\n' 'Council delays vote on library budget' '' \
    'SPRINGFIELD — The council delayed its vote on the library budget on Tuesday.' '' \
    '“We need more time to read the numbers, the mayor said.' >"$scratch/news/budget.article"
cp "$scratch/news/budget.article" "$scratch/news/000_0123456789abcdef.txt"
printf 'call the printer about friday\n' >"$scratch/news/notes.txt"

# Ex mode without a terminal; ALE's jobs and timers run while it sleeps.
cat >"$scratch/probe.vim" <<'VIM'
function! s:Report(line) abort
  call writefile([a:line], $PROBE_OUT, 'a')
endfunction
for s:file in ['notes.txt', '000_0123456789abcdef.txt', 'budget.article']
  execute 'edit ' . fnameescape(s:file)
  call s:Report(s:file . ' ' . &filetype)
endfor
ALELint
let s:waited = 0
while s:waited < 200 && empty(get(get(g:ale_buffer_info, bufnr(''), {}), 'loclist', []))
  sleep 100m
  let s:waited += 1
endwhile
for s:item in get(get(g:ale_buffer_info, bufnr(''), {}), 'loclist', [])
  call s:Report('diagnostic ' . s:item.lnum . ' ' . get(s:item, 'code', '') . ' ' . s:item.linter_name)
endfor
qall!
VIM
out_file=$scratch/out
(cd "$scratch/news" && PATH=$ROOT/plugin/bin:$PATH PROBE_OUT=$out_file \
    timeout "$EDITOR_TIMEOUT" vim -Nu "$scratch/vimrc" -i NONE -es -S "$scratch/probe.vim" </dev/null >/dev/null 2>&1)
out=$(cat "$out_file" 2>/dev/null)
check_eq "the vimrc block: *.article and a .txt dateline detects are articles, a note is text" \
    "notes.txt text
000_0123456789abcdef.txt article
budget.article article" "$(grep -v '^diagnostic' <<<"$out")"
check_eq "ALE starts dateline lsp and shows the unclosed quotation on its line" \
    "diagnostic 5 unclosed-quotation dateline" "$(grep '^diagnostic' <<<"$out")"

done_testing
