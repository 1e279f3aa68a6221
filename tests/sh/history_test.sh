# History end to end: the built `dateline` CLI in a scratch git repository,
# checked with stock git. Also stress (two writers at once, a writer killed
# with SIGKILL) and every error case's message and exit status.
set -u
. "$(dirname "$0")/tap.sh"

scratch_git_world

repo=$scratch/repo
git init -q -b master "$repo"
cd "$repo" || exit 1
printf 'readme\n' > README
git add README && git commit -qm init
echo "scratch" > untracked.txt
mkdir -p "news desk"
article=$(printf 'news desk/caf\303\251 story.txt')
ref='refs/dateline/news%20desk%2Fcaf%C3%A9%20story.txt'
printf 'Headline\n\nOLYMPIA, WA – The lead.\n' > "$article"
head_before=$(git rev-parse HEAD)

# Plain git on dateline's store, the one command docs/cli.md gives.
sgit() { git --git-dir="$(git rev-parse --git-common-dir)/dateline" "$@"; }
# Neither the user's repository nor the store has anything git objects to.
fsck_both() { git fsck --strict && sgit fsck --strict; }
status_before=$(git status --porcelain)

# expect_error NAME STATUS PATTERN COMMAND...: exit status and one stderr
# line "dateline: ..." matching PATTERN, nothing on stdout.
expect_error() {
    local name=$1 want=$2 pattern=$3 out err status
    shift 3
    out=$("$@" 2>"$scratch/stderr")
    status=$?
    err=$(cat "$scratch/stderr")
    # One message line; usage errors may add the command's usage line.
    if [ "$status" -eq "$want" ] && [ -z "$out" ] &&
        [ "$(printf '%s\n' "$err" | grep -vc '^usage: ')" -eq 1 ] &&
        printf '%s\n' "$err" | grep -q "^dateline: .*$pattern"; then
        tap_ok "$name"
    else
        tap_not_ok "$name" "status $status (want $want)
stdout: $out
stderr: $err"
    fi
}

# ---------------------------------------------------------------- basics --

v1=$("$DATELINE" snapshot "$article" -m "first draft")
check "snapshot prints a full version id" grep -Eqx '[0-9a-f]{40}' <<<"$v1"
check_eq "the ref holds the version" "$v1" "$(sgit rev-parse "$ref")"
check_eq "git show reads the article at its path" "$(cat "$article")" "$(sgit show "$v1:$article")"
check_eq "git notes shows the note" "first draft" "$(sgit notes --ref dateline show "$v1")"

unchanged=$("$DATELINE" snapshot "$article")
check_eq "unchanged content records nothing" "unchanged: $v1" "$unchanged"
told=$("$DATELINE" snapshot "$article" -m "checked the spelling" 2>&1 >/dev/null)
check_eq "a note on unchanged content goes on the latest version" "checked the spelling" \
    "$(sgit notes --ref dateline show "$v1")"
check "and the writer is told where it went" grep -qF "note is attached to ${v1:0:10}" <<<"$told"
sgit notes --ref dateline add -f -m "first draft" "$v1" 2>/dev/null

printf 'Headline\n\nOLYMPIA, WA – The lead, longer now.\n' > "$article"
v2=$("$DATELINE" snapshot "$article" --json | jq -r .id)
check_eq "the second version's parent is the first" "$v1" "$(sgit rev-parse "$v2^")"
check_eq "git log lists both versions" "2" "$(sgit log --oneline "$ref" | wc -l | tr -d ' ')"
check_eq "the author comes from git config" "Jane Doe <jane@example.com>" \
    "$(sgit log -1 --format='%an <%ae>' "$ref")"

json=$("$DATELINE" snapshot "$article" --json)
check_eq "--json snapshot has schema 1 and says unchanged" "1 false $v2" \
    "$(jq -r '"\(.schema) \(.recorded) \(.id)"' <<<"$json")"

"$DATELINE" note @~1 "$article" -m "added Amazon response" >/dev/null
check_eq "note annotates an older version" "added Amazon response" \
    "$(sgit notes --ref dateline show "$v1")"

log=$("$DATELINE" log "$article")
check_eq "log lists newest first" "${v2:0:10} ${v1:0:10}" "$(awk '{print $1}' <<<"$log" | tr '\n' ' ' | sed 's/ $//')"
check "log shows time with zone, author and words" \
    grep -Eq "^${v2:0:10}  [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{2}:[0-9]{2}  Jane Doe  7 words \(\+2\)" <<<"$log"
check "log shows notes" grep -q "added Amazon response$" <<<"$log"
check_eq "log -n 1 shows one version" "1" "$("$DATELINE" log "$article" -n 1 | wc -l | tr -d ' ')"
check_eq "log --annotated shows only annotated versions" "${v1:0:10}" \
    "$("$DATELINE" log "$article" --annotated | awk '{print $1}')"
logjson=$("$DATELINE" log "$article" --json)
check_eq "log --json: schema, count, words, note" "1 2 7 added Amazon response" \
    "$(jq -r '"\(.schema) \(.versions | length) \(.versions[0].words) \(.versions[1].note)"' <<<"$logjson")"
check_eq "log --json time carries the offset" "$(sgit log -1 --format=%aI "$v2")" \
    "$(jq -r '.versions[0].time' <<<"$logjson")"

check_eq "show prints a version's content" "$(sgit show "$v1:$article")" \
    "$("$DATELINE" show "${v1:0:8}" "$article")"
check_eq "show --json holds the full id and the content" "$v1 $(sgit show "$v1:$article" | jq -Rs .)" \
    "$("$DATELINE" show "${v1:0:8}" "$article" --json | jq -c '"\(.id) \(.content | tojson)"' -r)"

"$DATELINE" note "$article" -m "$(printf 'cleared\033[2J by legal')" >/dev/null
check "log shows a control character in a note as a visible escape" \
    grep -qF 'cleared\033[2J by legal' <<<"$("$DATELINE" log "$article" -n 1)"
check_eq "log --json keeps the note as written" "$(printf 'cleared\033[2J by legal')" \
    "$("$DATELINE" log "$article" -n 1 --json | jq -r '.versions[0].note')"

# -------------------------------------------------------------- restore --

printf 'An edit nobody recorded.\n' > "$article"
chmod 640 "$article"
restore_out=$("$DATELINE" restore @~1 "$article")
check_eq "restore writes the old version back" "$(sgit show "$v1:$article")" "$(cat "$article")"
check_eq "restore keeps the file mode" "640" "$(stat -c %a "$article")"
check "restore recorded the unsaved edit first" \
    grep -q "before restore of ${v1:0:10}" <<<"$("$DATELINE" log "$article")"
check_eq "the unsaved edit is in history" "An edit nobody recorded." \
    "$("$DATELINE" show @~1 "$article")"
check "restore says what it did" grep -q "^restored ${v1:0:10}" <<<"$restore_out"
check_eq "restore leaves no temporary file" "" "$(ls -A "news desk" | grep -v -x "$(basename "$article")")"

# ------------------------------------------------- git's own state intact --

check_eq "HEAD is unchanged" "$head_before" "$(git rev-parse HEAD)"
check_eq "git status is unchanged" "$status_before" "$(git status --porcelain)"
check_eq "no branch was added" "refs/heads/master" "$(git for-each-ref --format='%(refname)' refs/heads)"
check "git fsck --strict is clean" fsck_both

# ------------------------------------------------------------------ help --

for command in snapshot note log show restore push pull; do
    check "$command --help prints its usage" grep -q "^usage: dateline $command" \
        <<<"$("$DATELINE" "$command" --help)"
done
check "the command list names the history commands" grep -q "snapshot" <<<"$("$DATELINE" --help)"

# ----------------------------------------------------------------- errors --

expect_error "missing file: exit 1, one message" 1 "cannot read .*missing.txt: No such file" \
    "$DATELINE" snapshot missing.txt
mkdir -p adir
expect_error "a directory is refused" 1 "adir is a directory, not an article" \
    "$DATELINE" snapshot adir
expect_error "unknown revision" 1 "no version 'abcdef12' in the history" \
    "$DATELINE" show abcdef12 "$article"
expect_error "malformed revision" 1 "not a revision: 'HEAD~1'" \
    "$DATELINE" show HEAD~1 "$article"
expect_error "an article without history" 1 "nohistory.txt has no recorded versions" \
    "$DATELINE" show @ nohistory.txt
expect_error "an unknown option is a usage error" 2 "unknown option '--frobnicate'" \
    "$DATELINE" snapshot "$article" --frobnicate
expect_error "a missing operand is a usage error" 2 "needs a FILE" "$DATELINE" log
expect_error "note without -m is a usage error" 2 "needs -m NOTE" "$DATELINE" note "$article"
expect_error "-n must be a positive number" 2 "-n needs a positive number" \
    "$DATELINE" log "$article" -n zero
expect_error "an unknown remote is named" 1 "no remote 'nowhere'" "$DATELINE" push nowhere

touch ".git/dateline/$ref.lock"
printf 'locked edit\n' > "$article"
expect_error "a stale ref lock gives a clear message" 1 "is locked: .*\.lock exists" \
    "$DATELINE" snapshot "$article"
rm -f ".git/dateline/$ref.lock"
touch .git/index.lock
check "an index.lock does not stop recording (the index is never used)" \
    "$DATELINE" snapshot "$article"
rm -f .git/index.lock

if [ "$(id -u)" -ne 0 ]; then
    printf 'secret\n' > unreadable.txt
    chmod 000 unreadable.txt
    expect_error "an unreadable file" 1 "unreadable.txt: Permission denied" \
        "$DATELINE" snapshot unreadable.txt
else
    tap_ok "an unreadable file # SKIP root reads everything"
fi

outside=$scratch/outside
mkdir -p "$outside"
printf 'text\n' > "$outside/story.txt"
printf 'not a directory\n' > "$scratch/datafile"
XDG_DATA_HOME=$scratch/datafile expect_error "an unwritable data directory is named" 1 \
    "cannot create the history store directory .*datafile" "$DATELINE" snapshot "$outside/story.txt"

# -------------------------------------------------------- fallback store --

fallback_id=$("$DATELINE" snapshot "$outside/story.txt")
store=$XDG_DATA_HOME/dateline/store.git
outside_ref=refs/dateline/$(printf '%s/story.txt' "$outside" | sed 's,/,%2F,g')
check_eq "outside a repository the private store is used" "$fallback_id" \
    "$(git --git-dir="$store" rev-parse "$outside_ref")"
check_eq "the private store is mode 700" "700" "$(stat -c %a "$store")"
other_id=$("$DATELINE" snapshot "$outside/story.txt" --store "$scratch/other.git")
check_eq "--store overrides discovery" "$other_id" \
    "$(git --git-dir="$scratch/other.git" rev-parse "$outside_ref")"

# ------------------------------------------------------------- push/pull --

git init -q --bare "$scratch/remote.git"
git remote add origin "$scratch/remote.git"
push_out=$("$DATELINE" push)
check "push reports what it sent" grep -q "^pushed to origin: 1 updated" <<<"$push_out"
check_eq "the remote has the article's history" "$(sgit rev-parse "$ref")" \
    "$(git --git-dir="$scratch/remote.git" rev-parse "$ref")"
git clone -q "$scratch/remote.git" "$scratch/clone" 2>/dev/null
mkdir -p "$scratch/clone/news desk"
(cd "$scratch/clone" && "$DATELINE" pull >/dev/null)
check_eq "pull brings every version" "$(sgit rev-list --count "$ref")" \
    "$(git --git-dir="$scratch/clone/.git/dateline" rev-list --count "$ref")"
check_eq "pull brings the notes" "added Amazon response" \
    "$(git --git-dir="$scratch/clone/.git/dateline" notes --ref dateline show "$v1")"
printf 'Their edit.\n' > "$scratch/clone/$article"
(cd "$scratch/clone" && "$DATELINE" snapshot "$article" >/dev/null && "$DATELINE" push >/dev/null)
printf 'Our edit.\n' > "$article"
"$DATELINE" snapshot "$article" >/dev/null
expect_error "push refuses when the remote moved on" 1 "run 'dateline pull origin' first" \
    "$DATELINE" push
pull_out=$("$DATELINE" pull)
check "pull of diverged histories merges" grep -q "1 merged" <<<"$pull_out"
check_eq "the merge keeps the local content" "Our edit." "$("$DATELINE" show @ "$article")"
check_eq "the merge has both tips as parents" "2" \
    "$(sgit rev-list --parents -1 "$ref" | wc -w | awk '{print $1 - 1}')"
check "then push succeeds" "$DATELINE" push
junk=$(printf 'junk' | git --git-dir="$scratch/remote.git" hash-object -w --stdin)
git --git-dir="$scratch/remote.git" update-ref refs/dateline/junk.txt "$junk"
pull_out=$("$DATELINE" pull)
check "pull names a ref it refuses" grep -qx \
    "refused refs/dateline/junk.txt: points at a blob, not a version (commit)" <<<"$pull_out"
check_eq "and does not adopt it" "" "$(sgit for-each-ref refs/dateline/junk.txt)"
check "fsck is clean after sync" fsck_both

# ---------------------------------------------------------------- stress --

# Two writers at once on one article: two work trees of one repository
# share refs, so both record refs/dateline/stress.txt.
git worktree add -q --detach "$scratch/wt" 2>/dev/null
before=$(sgit rev-list --count refs/dateline/stress.txt 2>/dev/null || echo 0)
writer() { # writer DIR NAME
    local i
    for i in $(seq 1 200); do
        printf '%s version %d\n' "$2" "$i" > "$1/stress.txt"
        "$DATELINE" snapshot "$1/stress.txt" >/dev/null 2>>"$scratch/writer.err" || echo "fail $2 $i" >>"$scratch/writer.err"
    done
}
writer "$repo" A &
pid_a=$!
writer "$scratch/wt" B &
pid_b=$!
wait $pid_a $pid_b
check_eq "two concurrent writers: no failures" "" "$(cat "$scratch/writer.err" 2>/dev/null)"
check_eq "two writers x 200 snapshots: 400 versions" "$((before + 400))" \
    "$(sgit rev-list --count refs/dateline/stress.txt)"
check_eq "every written content is in history" "400" \
    "$(for c in $(sgit rev-list refs/dateline/stress.txt); do sgit show "$c:stress.txt"; done | sort -u | wc -l | tr -d ' ')"
check "fsck is clean after the stress" fsck_both

# Writers killed at random points (SIGKILL: no cleanup at all) leave a
# repository that passes fsck; a stale lock they leave is reported, and
# once removed, recording goes on.
for i in $(seq 1 40); do
    printf 'kill test %d\n' "$i" > killed.txt
    "$DATELINE" snapshot killed.txt >/dev/null 2>&1 &
    victim=$!
    sleep "0.00$((i % 10))"
    kill -9 "$victim" 2>/dev/null
    wait "$victim" 2>/dev/null
done
check "fsck is clean after writers were killed mid-way" fsck_both
rm -f .git/dateline/refs/dateline/killed.txt.lock .git/dateline/refs/notes/dateline.lock
check "history still records after the kills" "$DATELINE" snapshot killed.txt --json

# ------------------------------------------------------ inputs (issue 16) --

# A FIFO has no writer: opening it to read would wait forever. Every command
# that reads an article refuses it at once (timeout: exit 124 if it hangs).
mkfifo pipe.txt
for command in outline stats snapshot blame; do
    expect_error "$command refuses a FIFO at once" 1 "pipe.txt is a named pipe (FIFO); dateline reads only regular files" \
        timeout 10 "$DATELINE" "$command" pipe.txt
done
rm -f pipe.txt

# A read-only article is not replaced without --force, and keeps its mode.
printf 'Locked\n\nOLYMPIA, WA – First.\n' > locked.txt
"$DATELINE" snapshot locked.txt >/dev/null
printf 'Locked\n\nOLYMPIA, WA – Second.\n' > locked.txt
"$DATELINE" snapshot locked.txt >/dev/null
chmod 444 locked.txt
expect_error "restore refuses a read-only file" 1 "locked.txt is read-only; restore refused" \
    "$DATELINE" restore @~1 locked.txt
check "the read-only file is untouched" grep -q Second locked.txt
# A restore killed mid-way left its temporary file; its process is gone.
sh -c 'exit 0' &
dead=$!
wait "$dead"
: > ".locked.txt.dateline-$dead-0"
check "restore --force replaces a read-only file" "$DATELINE" restore --force @~1 locked.txt
check "the forced restore wrote the old version" grep -q First locked.txt
check_eq "the forced restore keeps the file read-only" "444" "$(stat -c %a locked.txt)"
check_eq "a dead restore's temporary file is cleaned up" "" "$(ls -A | grep -F '.dateline-')"

# A note that cannot be stored does not hide the version that was recorded.
printf 'Noted\n\nOLYMPIA, WA – Text.\n' > noted.txt
noted_out=$("$DATELINE" snapshot noted.txt -m "$(printf 'bad \377')" 2>"$scratch/stderr")
noted_status=$?
check_eq "a refused note: exit status 3 (recorded, note refused)" "3" "$noted_status"
check_eq "a refused note: stdout is the recorded version" \
    "$(sgit rev-parse refs/dateline/noted.txt)" "$noted_out"
check "a refused note: stderr names the version and why the note was refused" \
    grep -q "^dateline: version $noted_out was recorded, but its note was refused: the note is not valid UTF-8" \
    "$scratch/stderr"
check_eq "a refused note: the version has no note" "" \
    "$(sgit notes --ref dateline show "$noted_out" 2>/dev/null)"

# A multi-line note keeps `log` at one line per version: its first line and
# how many were left out; --json has the note whole.
printf 'Lines\n\nOLYMPIA, WA – One.\n' > lines.txt
"$DATELINE" snapshot lines.txt -m "$(printf 'Fact-checked\nsources: AP\r\nsecond desk\n')" >/dev/null
printf 'Lines\n\nOLYMPIA, WA – Two.\n' > lines.txt
"$DATELINE" snapshot lines.txt -m "one line" >/dev/null
printf 'Lines\n\nOLYMPIA, WA – Three.\n' > lines.txt
"$DATELINE" snapshot lines.txt -m "$(printf '\n\nAfter blank lines\n')" >/dev/null
lines_log=$("$DATELINE" log lines.txt)
check_eq "log prints one line per version, whatever the notes hold" "3" \
    "$(printf '%s\n' "$lines_log" | wc -l)"
check "log shows a multi-line note's first line and how many lines follow" \
    grep -q '  Fact-checked (+2 lines)$' <(printf '%s\n' "$lines_log")
check "log shows a one-line note as it is" grep -q '  one line$' <(printf '%s\n' "$lines_log")
check "log shows a note opening with blank lines by its first words" \
    grep -q '  After blank lines$' <(printf '%s\n' "$lines_log")
check_eq "log --json has the multi-line note whole" "$(printf 'Fact-checked\nsources: AP\r\nsecond desk')" \
    "$("$DATELINE" log --json lines.txt | jq -r '.versions[2].note')"

# ------------------------------------------------------- not text (#16) --
# A save with a NUL byte or invalid UTF-8 is recorded byte-exact and flagged;
# only the model's views refuse it.
printf 'Bytes\n\nOLYMPIA, WA \342\200\223 Text first.\n' > bytes.txt
"$DATELINE" snapshot bytes.txt >/dev/null
printf 'bin\000ary' > bytes.txt
nul_id=$("$DATELINE" snapshot bytes.txt)
check_eq "a NUL byte is recorded: git gives the exact bytes back" "62696e00617279" \
    "$(sgit cat-file blob "$nul_id:bytes.txt" | od -An -tx1 | tr -d ' \n')"
printf 'caf\351\n' > bytes.txt
latin_id=$("$DATELINE" snapshot bytes.txt)
check_eq "a Latin-1 byte is recorded: git gives the exact bytes back" "636166e90a" \
    "$(sgit cat-file blob "$latin_id:bytes.txt" | od -An -tx1 | tr -d ' \n')"
check_eq "show gives the exact bytes back" "636166e90a" \
    "$("$DATELINE" show "$latin_id" bytes.txt | od -An -tx1 | tr -d ' \n')"
bytes_log=$("$DATELINE" log bytes.txt)
check_eq "log flags both versions [not text]" "2" \
    "$(printf '%s\n' "$bytes_log" | grep -c '  \[not text\]  not text: [0-9,]* bytes (binary content)')"
check_eq "log --json: text false for them, true for the text version" "false false true" \
    "$("$DATELINE" log --json bytes.txt | jq -r '[.versions[].text] | map(tostring) | join(" ")')"
expect_error "outline still refuses it, with the byte offset" 1 "not valid UTF-8 (bad byte at offset 3)" \
    "$DATELINE" outline bytes.txt
printf 'Bytes\n\nOLYMPIA, WA \342\200\223 Text again.\n' > bytes.txt
expect_error "diff against a version that is not text says which and why" 1 \
    "@ is not valid UTF-8 (bad byte at offset 3)" "$DATELINE" diff bytes.txt
"$DATELINE" snapshot bytes.txt >/dev/null
check "the next text version's log line says the one before was not text" \
    grep -q '(was binary content)$' <(printf '%s\n' "$("$DATELINE" log -n 1 bytes.txt)")
check "the next text version diffs against the last text version" \
    grep -q 'again' <(printf '%s\n' "$("$DATELINE" diff @~3 @ bytes.txt)")
printf '\000\001\002' > bytes.txt
"$DATELINE" restore @ bytes.txt >/dev/null 2>&1
check_eq "restore over a binary file records its bytes first" "000102" \
    "$("$DATELINE" show @~1 bytes.txt | od -An -tx1 | tr -d ' \n')"

check_eq "HEAD is still unchanged at the end" "$head_before" "$(git rev-parse HEAD)"
check_eq "git log --all shows only the user's commit" "1" "$(git log --all --oneline | wc -l | tr -d ' ')"
check_eq "the documented command reads the history from a subfolder" \
    "$(cd "$repo" && sgit log --oneline "$ref" | grep -c .)" \
    "$(cd "$repo/news desk" && git --git-dir="$(git rev-parse --git-common-dir)/dateline" log --oneline "$ref" | grep -c .)"

# ------------------------------------------------------ the older layout --
# An earlier dateline kept history in the repository itself; the first
# command moves it into the store and says so once.
old=$scratch/old
git init -q -b master "$old"
(
    cd "$old" && printf 'readme\n' > README && git add README && git commit -qm init &&
    b=$(printf 'Old\n\nText.\n' | git hash-object -w --stdin) &&
    c=$(git commit-tree "$(printf '100644 blob %s\tstory.txt\n' "$b" | git mktree)" -m 'story.txt: first version') &&
    git update-ref refs/dateline/story.txt "$c" && git notes --ref dateline add -m 'old note' "$c"
)
printf 'Old\n\nText.\n' > "$old/story.txt"
moved_log=$("$DATELINE" log "$old/story.txt" 2>"$scratch/moved")
check "the first command tells where the history went" \
    grep -qx "dateline: moved the history of 1 article from $old/.git/ into dateline's own store $old/.git/dateline/" "$scratch/moved"
check "and lists the moved version with its note" grep -q 'old note$' <<<"$moved_log"
"$DATELINE" log "$old/story.txt" >/dev/null 2>"$scratch/moved"
check_eq "the next command says nothing more" "" "$(cat "$scratch/moved")"
check_eq "nothing of dateline's is left in the user's refs" "" \
    "$(git -C "$old" for-each-ref --format='%(refname)' | grep dateline)"

# -------------------------------------------- a store another writer made --
# Trusted the way git trusts the repository: by safe.directory, and the
# message says which line to add.
if chown -R 54321 "$old" 2>/dev/null; then
    git config --global --add safe.directory "$old"
    expect_error "a store another writer made is refused with git's advice" 1 \
        "git config --global --add safe.directory $old/.git/dateline\$" "$DATELINE" log "$old/story.txt"
    git config --global --add safe.directory "$old/.git/dateline"
    check "once trusted, its history reads" grep -q 'old note$' <<<"$("$DATELINE" log "$old/story.txt")"
else
    tap_skip "a store another writer made is refused with git's advice" "only root can give a repository away"
fi

done_testing
