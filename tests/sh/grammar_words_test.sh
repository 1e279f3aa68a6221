# The scanner's word lists (speech verbs, months, ...) are in strcmp order:
# word_is() halves them, so a word added out of order would silently never
# match. Each list is read from grammar/src/scanner.c as written.
set -u
. "$(dirname "$0")/tap.sh"
cd "$ROOT" || exit 1

scanner=$(jq -r .grammar.path plugin.json)/src/scanner.c
lists=$(sed -n 's/^ *static const char \*const \([A-Za-z_]*\)\[\] = {$/\1/p' "$scanner")
check "the scanner has word lists" test -n "$lists"
for list in $lists; do
    words=$(sed -n "/static const char \*const $list\[\] = {/,/^ *};/p" "$scanner" |
        grep -o '"[^"]*"' | tr -d '"')
    check "$list is in strcmp order, without repeats" \
        sh -c 'printf "%s\n" "$1" | LC_ALL=C sort -c -u' sh "$words"
done

done_testing
