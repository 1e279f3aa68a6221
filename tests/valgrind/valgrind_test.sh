# The release CLI (plugin/bin/dateline, -O2 -g) under valgrind memcheck:
# every command a writer uses, push and pull against a local bare remote,
# and a short language-server session fed as a recorded JSON-RPC stream.
# A check passes when valgrind finds no memory error and no definite leak
# of dateline's own (leaks inside libgit2 and its TLS libraries are listed,
# each with its reason, in dateline.supp). --trace-children follows
# dateline into dateline-history, which it runs for the history commands.
set -u
. "$(dirname "$0")/../sh/tap.sh"

scratch_git_world

if ! command -v valgrind >/dev/null 2>&1; then
    tap_skip "dateline under valgrind" "valgrind is not installed"
    done_testing
    exit 0
fi

SUPP=$ROOT/tests/valgrind/dateline.supp
# memcheck NAME COMMAND...: run the CLI with COMMAND's arguments under
# valgrind; on failure the evidence is valgrind's own report. valgrind's
# error status is 99, not 1, so that it is not taken for dateline's own
# "error" exit status.
memcheck() {
    local name=$1 log=$scratch/valgrind.log
    shift
    if valgrind --quiet --trace-children=yes --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite --suppressions="$SUPP" --log-file="$log" \
        "$DATELINE" "$@" >"$scratch/stdout" 2>"$scratch/stderr" </dev/null; then
        tap_ok "$name"
    else
        local status=$?
        if [ "$status" -eq 99 ]; then
            tap_not_ok "$name" "$(head -c 6000 "$log")"
        else
            tap_not_ok "$name" "exit status $status
$(head -c 2000 "$scratch/stderr")"
        fi
    fi
}

repo=$scratch/repo
remote=$scratch/remote.git
git init -q -b master "$repo"
git init -q --bare "$remote"
cd "$repo" || exit 1
git remote add origin "$remote"
cat > story.txt <<'ARTICLE'
Council votes to widen the river path

Residents say the plan comes late

By Jane Doe

OLYMPIA, WA – The city council voted 5-2 on Tuesday to widen the river path.

"We have waited ten years for this," said Ana Ruiz, who walks it daily.

## What comes next

Work starts in spring, the council said.
ARTICLE

memcheck "outline" outline story.txt
memcheck "stats" stats story.txt
memcheck "snapshot (first version)" snapshot story.txt
sed -i 's/5-2/6-1/; s/daily/every day/' story.txt
memcheck "snapshot with a note (second version)" snapshot story.txt -m "$(printf 'vote count fixed\nper the clerk')"
memcheck "note" note @~1 story.txt -m "first draft"
memcheck "log" log story.txt
memcheck "log --json" log --json story.txt
memcheck "show" show @~1 story.txt
memcheck "diff" diff @~1 @ story.txt
memcheck "blame" blame story.txt
memcheck "restore" restore @~1 story.txt
memcheck "push to a local bare remote" push origin
other=$scratch/other
git clone -q "$remote" "$other" 2>/dev/null
cd "$other" || exit 1
memcheck "pull from a local bare remote" pull origin
memcheck "log of the pulled history" log story.txt
cd "$repo" || exit 1

# One LSP message: its header and body, the length in bytes.
lsp_message() {
    local LC_ALL=C
    printf 'Content-Length: %d\r\n\r\n%s' "${#1}" "$1"
}
uri="file://$repo/story.txt"
text=$(jq -Rs . < story.txt)
{
    lsp_message '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"rootUri":"file://'"$repo"'","capabilities":{}}}'
    lsp_message '{"jsonrpc":"2.0","method":"initialized","params":{}}'
    lsp_message '{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"'"$uri"'","languageId":"article","version":1,"text":'"$text"'}}}'
    lsp_message '{"jsonrpc":"2.0","id":2,"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"'"$uri"'"}}}'
    lsp_message '{"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{"textDocument":{"uri":"'"$uri"'"},"position":{"line":6,"character":20}}}'
    lsp_message '{"jsonrpc":"2.0","method":"textDocument/didSave","params":{"textDocument":{"uri":"'"$uri"'"}}}'
    lsp_message '{"jsonrpc":"2.0","id":4,"method":"workspace/executeCommand","params":{"command":"dateline.log","arguments":[{"uri":"'"$uri"'"}]}}'
    lsp_message '{"jsonrpc":"2.0","id":5,"method":"shutdown"}'
    lsp_message '{"jsonrpc":"2.0","method":"exit"}'
} > "$scratch/session.bin"

log=$scratch/valgrind.log
if valgrind --quiet --trace-children=yes --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite --suppressions="$SUPP" --log-file="$log" \
    "$DATELINE" lsp <"$scratch/session.bin" >"$scratch/stdout" 2>"$scratch/stderr"; then
    tap_ok "an LSP session: initialize, didOpen, documentSymbol, hover, didSave, dateline.log, shutdown, exit"
else
    tap_not_ok "an LSP session: initialize, didOpen, documentSymbol, hover, didSave, dateline.log, shutdown, exit" \
        "exit status $?
$(head -c 6000 "$log")
$(head -c 2000 "$scratch/stderr")"
fi
# The session did what it says: it answered every request and dateline.log
# listed the versions (so the run above covered the history path too).
check "the LSP session answered the log command with the versions" \
    grep -q '"id":4,"result":{[^}]*"versions":\[{' "$scratch/stdout"

done_testing
