# Structural diff and blame end to end: the built `dateline` CLI in a
# scratch git repository — diff text, JSON and colour; blame; log summaries;
# every error's message and exit status.
set -u
. "$(dirname "$0")/tap.sh"

scratch_git_world

repo=$scratch/repo
git init -q -b master "$repo"
cd "$repo" || exit 1
git commit -q --allow-empty -m init

# expect_error NAME STATUS PATTERN COMMAND...: exit status, nothing on
# stdout, a "dateline: ..." message matching PATTERN on stderr.
expect_error() {
    local name=$1 want=$2 pattern=$3 out err status
    shift 3
    out=$("$@" 2>"$scratch/stderr")
    status=$?
    err=$(cat "$scratch/stderr")
    if [ "$status" -eq "$want" ] && [ -z "$out" ] &&
        printf '%s\n' "$err" | grep -q "^dateline: .*$pattern"; then
        tap_ok "$name"
    else
        tap_not_ok "$name" "status $status (want $want)
stdout: $out
stderr: $err"
    fi
}

write_v1() {
    printf '%s\n\n' "Council approves budget after long debate" \
        "OLYMPIA, WA – The city council approved the budget on Tuesday after a long debate." \
        "Property taxes will stay flat for a third year, the finance office said on Monday." \
        "“We will review spending every quarter,” the mayor said after the vote." \
        "The parks department gets two new crews for the summer season." > story.txt
    printf 'The budget takes effect on July 1.' >> story.txt
}

write_v2() {
    printf '%s\n\n' "Council approves budget after long debate" \
        "OLYMPIA, WA – The city council approved the budget on Tuesday after a long debate." \
        "The parks department gets two new crews for the summer season." \
        "“We will review spending every month,” the mayor said after the vote." \
        "Property taxes will stay flat for a third year, the finance office said on Monday." \
        "Library hours return to seven days a week downtown." > story.txt
    printf 'The budget takes effect on July 1.' >> story.txt
}

# ---------------------------------------------------------------- errors --
write_v1
expect_error "diff without history says to record a version first" 1 "no recorded versions yet" \
    "$DATELINE" diff story.txt
expect_error "diff without a FILE is a usage error" 2 "needs a FILE" "$DATELINE" diff
expect_error "an unknown diff option is a usage error" 2 "unknown option" \
    "$DATELINE" diff --frobnicate story.txt
expect_error "a bad --color value is a usage error" 2 "auto, always or never" \
    "$DATELINE" diff --color=sometimes story.txt
expect_error "blame without a FILE is a usage error" 2 "needs a FILE" "$DATELINE" blame

v1=$("$DATELINE" snapshot story.txt -m "first draft")
expect_error "an unknown REV is an error" 1 "" "$DATELINE" diff deadbeef story.txt
expect_error "a missing file is an error naming it" 1 "missing.txt" "$DATELINE" diff missing.txt
cp story.txt latin1-story.txt && "$DATELINE" snapshot latin1-story.txt >/dev/null
printf 'caf\351\n' > latin1-story.txt
expect_error "invalid UTF-8 on disk is refused with the offset" 1 "UTF-8" \
    "$DATELINE" diff latin1-story.txt

# ------------------------------------------------------------------ diff --
output=$("$DATELINE" diff story.txt)
check_eq "no changes says so" "no changes" "$(sed -n 2p <<<"$output")"

write_v2
plain=$("$DATELINE" diff story.txt)
check "diff names the changed quotation and its speaker" \
    grep -q "quotation changed (the mayor)" <<<"$plain"
check "the quotation's words are marked" grep -qF "every [-quarter-]{+month+}," <<<"$plain"
check "a moved paragraph is shown once as moved" grep -q "¶2 → ¶4 moved" <<<"$plain"
check "an added paragraph is shown" grep -q "¶5 added" <<<"$plain"
check "output to a pipe has no escape codes" bash -c '! grep -q $'"'"'\033'"'"' <<<"$1"' _ "$plain"

never=$("$DATELINE" diff --color=never story.txt)
check "--color=never has no escape codes" bash -c '! grep -q $'"'"'\033'"'"' <<<"$1"' _ "$never"
no_color=$(NO_COLOR=1 "$DATELINE" diff story.txt)
check "NO_COLOR has no escape codes" bash -c '! grep -q $'"'"'\033'"'"' <<<"$1"' _ "$no_color"
always=$("$DATELINE" diff --color=always story.txt)
check "--color=always has escape codes" grep -q $'\033\[3[12]m' <<<"$always"

json=$("$DATELINE" diff --json story.txt)
check_eq "--json has schema 1" "1" "$(jq -r .schema <<<"$json")"
check_eq "--json lists the block kinds in reading order" \
    "unchanged unchanged edited moved added unchanged" \
    "$(jq -r '[.blocks[].kind] | join(" ")' <<<"$json")"
check_eq "--json quotation change has old, new and speaker" \
    "changed|We will review spending every quarter,|We will review spending every month,|the mayor" \
    "$(jq -r '.quotations[0] | "\(.change)|\(.old)|\(.new)|\(.speaker)"' <<<"$json")"
check_eq "--json names both sides" "$v1 null" "$(jq -r '"\(.old.id) \(.new.id)"' <<<"$json")"
check_eq "--json summary" "¶3 edited, ¶5 added, ¶4 moved; quotation changed (the mayor)" \
    "$(jq -r .summary <<<"$json")"

v2=$("$DATELINE" snapshot story.txt -m "corrected quote")
check_eq "two REVs compare two versions" "¶3 edited, ¶5 added, ¶4 moved; quotation changed (the mayor)" \
    "$("$DATELINE" diff "$v1" "$v2" story.txt --json | jq -r .summary)"
check_eq "one REV compares it with the file" "no changes" \
    "$("$DATELINE" diff @ story.txt --color=never | sed -n 2p)"
check "diff --help documents the revisions" grep -q "REV REV2" <<<"$("$DATELINE" diff --help)"

# ----------------------------------------------------------------- blame --
printf '\n\nA closing paragraph nobody recorded.' >> story.txt
blame=$("$DATELINE" blame story.txt)
check_eq "blame prints one line per paragraph" "7" "$(grep -c '^¶' <<<"$blame")"
check "blame credits the corrected quotation's words to their version" \
    grep -q "^quote 1 *${v2:0:10} .*corrected quote *“.*” — the mayor" <<<"$blame"
check "the corrected quotation is blamed on its version" \
    grep -q "^¶3 *${v2:0:10} .*corrected quote" <<<"$blame"
check "a moved paragraph keeps its first version" \
    grep -q "^¶4 *${v1:0:10} .*first draft *Property taxes" <<<"$blame"
check "an unrecorded paragraph says so" grep -q "^¶7 *not recorded yet.*A closing paragraph" <<<"$blame"
bjson=$("$DATELINE" blame --json story.txt)
check_eq "blame --json has a version or null per block" "$v1 $v2 null" \
    "$(jq -r '[.blocks[0].version.id, .blocks[2].version.id, .blocks[6].version] | map(tostring) | join(" ")' <<<"$bjson")"
check_eq "blame --json credits each quotation's words" "$v2 the mayor" \
    "$(jq -r '.quotations[0] | "\(.version.id) \(.speaker)"' <<<"$bjson")"
check "blame --help exists" grep -q "not recorded yet" <<<"$("$DATELINE" blame --help)"

# ------------------------------------------------------------------- log --
log=$("$DATELINE" log story.txt)
check "log shows the structural summary" grep -q "quotation changed (the mayor)" <<<"$log"
check_eq "log --json carries the summary" "¶3 edited, ¶5 added, ¶4 moved; quotation changed (the mayor)" \
    "$("$DATELINE" log story.txt --json | jq -r '.versions[0].summary')"

done_testing
