# dateline is three programs (plugin/src/cli/cli_commands.h): `dateline`
# runs the article commands without loading libgit2, and runs
# dateline-history and dateline-serve from its own folder for the others,
# with the same arguments, streams and exit status.
set -u
. "$(dirname "$0")/tap.sh"

scratch_git_world
BIN=$(dirname "$DATELINE")

# The point of the split: starting `dateline outline` loads no libgit2
# (nor the twenty libraries behind it).
needed=$(readelf -d "$DATELINE" 2>&1)
if grep -q NEEDED <<<"$needed" && ! grep -q 'NEEDED.*libgit2' <<<"$needed"; then
    tap_ok "dateline does not link libgit2"
else
    tap_not_ok "dateline does not link libgit2" "$needed"
fi

cd "$scratch" || exit 1
git init -q repo
cd repo || exit 1
printf 'Council backs the bus pilot\n\nOLYMPIA, WA – The council voted 5-2 on Tuesday.\n' > story.txt

# Through dateline-history: output, exit status and stdin pass through.
check "snapshot through dateline records a version" "$DATELINE" snapshot -m first story.txt
check_eq "log through dateline lists it" "first" \
    "$("$DATELINE" log --json story.txt | jq -r '.versions[0].note')"
"$DATELINE" log --no-such-option story.txt >/dev/null 2>&1
check_eq "a history command's usage error exits 2 through dateline" 2 "$?"
check_eq "show through dateline prints the version" "$(cat story.txt)" "$("$DATELINE" show @ story.txt)"
# The language server (what editors run as `dateline lsp`) reads stdin.
lsp_frame() { printf 'Content-Length: %d\r\n\r\n%s' "${#1}" "$1"; }
reply=$({ lsp_frame '{"jsonrpc":"2.0","id":7,"method":"shutdown"}'
          lsp_frame '{"jsonrpc":"2.0","method":"exit"}'; } | "$DATELINE" lsp 2>&1)
check "dateline lsp answers a request given on stdin" grep -q '"id":7' <<<"$reply"

# dateline alone, without the programs beside it: the article commands work,
# the others say which program is missing.
mkdir "$scratch/alone"
cp "$DATELINE" "$scratch/alone/dateline"
check "outline works without dateline-history" "$scratch/alone/dateline" outline story.txt
check "stats works without dateline-history" "$scratch/alone/dateline" stats --json story.txt
check "detect works without dateline-history" "$scratch/alone/dateline" detect story.txt
check "--help works without dateline-history" "$scratch/alone/dateline" --help
err=$("$scratch/alone/dateline" log story.txt 2>&1 >/dev/null)
check_eq "log without dateline-history exits 1" 1 "$?"
check "log without dateline-history says which program it cannot run" \
    grep -q "^dateline: log: cannot run .*/alone/dateline-history" <<<"$err"

# A link to dateline elsewhere (a ~/bin of one's own) finds the programs
# beside the file it links to, run by path or found on PATH.
mkdir "$scratch/links"
ln -s "$DATELINE" "$scratch/links/dateline"
check "a link to dateline runs the history commands" \
    sh -c "'$scratch/links/dateline' log story.txt | grep -q first"
check "a link to dateline found on PATH runs the history commands" \
    sh -c "PATH='$scratch/links':\"\$PATH\" dateline log story.txt | grep -q first"

# Every program takes any command line: dateline-history runs the article
# commands too, and its help is dateline's.
check_eq "dateline-history's stats are dateline's" "$("$DATELINE" stats story.txt)" \
    "$("$BIN/dateline-history" stats story.txt)"
check_eq "dateline-history --help is dateline's" "$("$DATELINE" --help)" \
    "$("$BIN/dateline-history" --help)"

done_testing
