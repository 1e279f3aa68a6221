# A newsroom's store at full size: 10,000 articles x 20 versions (200,000
# versions), generated with git fast-import by bench/newsroom_gen.c as
# dateline lays them out, passes `git fsck --strict`, and dateline reads
# one article of it, and the listing of what changed in the last day,
# exactly as git sees them. Part of ./build.sh test --stress (generating
# and checking the store takes about a minute); STRESS_NEWSROOM_ARTICLES
# scales it down.
set -u
. "$(dirname "$0")/../sh/tap.sh"

scratch_git_world
ARTICLES=${STRESS_NEWSROOM_ARTICLES:-10000}
VERSIONS=20

gen=$scratch/newsroom_gen
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Werror "$ROOT/bench/newsroom_gen.c" -o "$gen"

store=$scratch/store.git
files=$scratch/files/news/
mkdir -p "$files"
git init -q --bare "$store"
now=$(date +%s)
check "fast-import takes $((ARTICLES * VERSIONS)) versions" \
    sh -c "'$gen' $ARTICLES $VERSIONS $now '$files' | git --git-dir='$store' fast-import --quiet"
check "git fsck --strict is clean" git --git-dir="$store" fsck --strict --no-progress

# A multiple of ten: its latest version is from the last day and has a note.
one=$((ARTICLES / 2 - ARTICLES / 2 % 10))
ref=$(git --git-dir="$store" for-each-ref --format='%(refname)' "refs/dateline/*%2Fa$one.txt")
log=$("$DATELINE" log --json --store "$store" "${files}a$one.txt")
check_eq "dateline log lists the article's versions as git does" \
    "$(git --git-dir="$store" rev-list "$ref")" "$(printf '%s' "$log" | jq -r '.versions[].id')"
check_eq "with their summaries and the latest one's note" \
    "first version|¶1 edited|checked with the council's office ($one)" \
    "$(printf '%s' "$log" | jq -r '[.versions[-1].summary // "first version", .versions[0].summary,
        .versions[0].note] | join("|")')"

# Article i's latest version is (i % 10) days before now: a tenth of them
# changed in the last day.
listing=$("$DATELINE" log --all --since 1.day --json --store "$store")
check_eq "log --all --since 1.day lists the articles changed in the last day" \
    "$((ARTICLES / 10))" "$(printf '%s' "$listing" | jq '.articles | length')"
check_eq "each with its latest version" "$(git --git-dir="$store" rev-parse "$ref")" \
    "$(printf '%s' "$listing" | jq -r --arg f "${files}a$one.txt" \
        '.articles[] | select(.file == $f) | .latest.id')"
check_eq "and nothing older" "0" \
    "$(printf '%s' "$listing" | jq --argjson since "$((now - 86400))" \
        '[.articles[] | select(.timestamp < $since)] | length')"

done_testing
