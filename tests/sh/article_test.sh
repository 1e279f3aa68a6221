# `dateline outline` and `dateline stats` end to end: what a script or the
# editor reads from them, and one clear message for every bad input.
set -u
. "$(dirname "$0")/tap.sh"
cd "$ROOT" || exit 1

dateline=$ROOT/$(jq -r .artifacts.cli plugin.json)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The facts of the reference article; the checks after these read articles
# the project has or writes.
reference_article_checks() {
    local seed=$SEED
    outline=$("$dateline" outline "$seed")
    check "the outline starts with the headline" grep -q '^Parler sues Amazon' <<<"$outline"
    check "the outline names the dateline" grep -qF 'dateline: OLYMPIA, WA –' <<<"$outline"
    check_eq "the outline numbers seven paragraphs" 7 "$(grep -c '^  ¶' <<<"$outline")"
    check "quotations are credited to their speaker" grep -qF '” — the company' <<<"$outline"

    json=$("$dateline" outline --json "$seed")
    check_eq "--json has schema 1" 1 "$(jq .schema <<<"$json")"
    check_eq "--json counts the blocks" 7 "$(jq '.blocks | length' <<<"$json")"
    check_eq "--json lists the quotations" 5 "$(jq '.quotations | length' <<<"$json")"
    check_eq "--json gives the dateline's location" '"OLYMPIA, WA"' "$(jq -c .dateline.location <<<"$json")"

    check_eq "stats is one line" "1" "$("$dateline" stats "$seed" | wc -l)"
    check_eq "stats --json counts paragraphs" 7 "$("$dateline" stats --json "$seed" | jq .paragraphs)"

    check_eq "stats counts sentences" 16 "$("$dateline" stats --json "$seed" | jq .sentences)"
    check_eq "--json numbers paragraphs" "[1,2,3,4,5,6,7]" "$(jq -c '[.blocks[].paragraph]' <<<"$json")"
    check "the first words follow the dateline" grep -qF '¶1   Parler, the “free speech”' <<<"$outline"
}
if [ -n "$SEED" ]; then
    reference_article_checks
else
    tap_skip "the reference article's outline, JSON and stats" "not run: the shared data is not here"
fi
fixture=$ROOT/tests/fixtures/wire-story.article

# A quotation run on into the next paragraph: one quotation, credited once.
printf 'Harbor\n\nThe mayor spoke. “We will rebuild.\n\n“Nobody will be left out,” the mayor said.\n' \
    > "$scratch/run-on.txt"
runon=$("$dateline" outline "$scratch/run-on.txt")
check_eq "a continued quotation is credited once" 1 "$(grep -c '— the mayor' <<<"$runon")"
check "and its second part says it continues" grep -qF '“Nobody will be left out,” (continued)' <<<"$runon"
check_eq "and it is one quotation in stats" 1 "$("$dateline" stats --json "$scratch/run-on.txt" | jq .quotations)"

# Text in a file never reaches the terminal as control characters.
printf 'Head\033[31mline\n\nBody \a text “quoted,” he said.\n' > "$scratch/controls.txt"
check "the outline neutralises control characters" \
    sh -c "! '$dateline' outline '$scratch/controls.txt' | LC_ALL=C grep -q '[[:cntrl:]]'"
check "even when the file has them" env LC_ALL=C grep -q '[[:cntrl:]]' "$scratch/controls.txt"

# Paths with spaces and non-ASCII characters are just paths.
cp "$fixture" "$scratch/café story.txt"
check "a path with spaces and non-ASCII works" "$dateline" outline "$scratch/café story.txt"

expect_error() { # expect_error NAME STATUS PATTERN ARGS...
    local name=$1 status=$2 pattern=$3 output actual
    shift 3
    output=$("$dateline" "$@" 2>&1 >/dev/null)
    actual=$?
    if [ "$actual" -eq "$status" ] && [ "$(wc -l <<<"$output")" -eq 1 ] && grep -q "$pattern" <<<"$output"; then
        tap_ok "$name"
    else
        tap_not_ok "$name" "exit $actual: $output"
    fi
}
printf 'Headline\n\nbody \x00 with a NUL\n' > "$scratch/binary.txt"
printf 'Headline\n\nLatin-1 caf\xe9\n' > "$scratch/latin1.txt"
expect_error "a missing file is one message, exit 1" 1 "no-such.txt" outline "$scratch/no-such.txt"
expect_error "a directory is refused" 1 "is a directory" outline "$scratch"
expect_error "a NUL byte is refused with its offset" 1 "NUL byte at offset 15" stats "$scratch/binary.txt"
expect_error "invalid UTF-8 is refused with its offset" 1 "not valid UTF-8 (bad byte at offset 21)" outline "$scratch/latin1.txt"
"$dateline" outline >/dev/null 2>&1
check_eq "no FILE is a usage error" 2 $?
"$dateline" outline --frobnicate "$fixture" >/dev/null 2>&1
check_eq "an unknown option is a usage error" 2 $?
check "outline --help explains itself" sh -c "'$dateline' outline --help | grep -q '^usage: dateline outline'"

done_testing
