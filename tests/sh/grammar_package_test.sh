# grammar/ is a tree-sitter grammar package others use as-is: its metadata
# agrees with itself, `require` works, the C library builds and installs with
# the Makefile and parses an article, `tree-sitter highlight` finds the
# grammar through an ordinary CLI config, and the Helix queries compile
# against the grammar. Everything runs in a scratch copy with its own HOME,
# so nothing of the user's tree-sitter configuration is read or written.
set -u
. "$(dirname "$0")/tap.sh"
cd "$ROOT" || exit 1

grammar=$ROOT/$(jq -r .grammar.path plugin.json)
language=$(jq -r .language plugin.json)
helix=$ROOT/editors/helix

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME=$scratch/home XDG_CONFIG_HOME=$scratch/config
# The CLI compiles the grammar into one library per user and reuses it while
# it looks current; a scratch directory keeps this checkout's grammar apart.
export TREE_SITTER_LIBDIR=$scratch/lib
mkdir -p "$HOME" "$XDG_CONFIG_HOME/tree-sitter" "$TREE_SITTER_LIBDIR"

# An article written for this test: front matter, a dateline, a quotation
# with its speaker, a number and every CriticMarkup form the queries name.
fixture=$scratch/fixture.article
cat >"$fixture" <<'EOF'
Ferry service returns to the outer islands
Two boats will run daily from the first of May
By Ines Halvorsen, Island Desk
Updated 9:15 AM, April 2, 2026

HARBOUR TOWN (AP) — The ferry line will carry 240 passengers a day.

“We waited four winters for this,” said Tomas Reid, a ferry captain.

The council {++unanimously ++}approved the {~~plan~>schedule~~} on Monday{-- night--}.
{==Fares==}{>>check with the operator<<} stay at 12 dollars.
EOF

# --- metadata ----------------------------------------------------------------

check "tree-sitter.json parses" jq -e . "$grammar/tree-sitter.json"
check_eq "tree-sitter.json names the language plugin.json uses" \
    "$language" "$(jq -r '.grammars[0].name' "$grammar/tree-sitter.json")"
check_eq "tree-sitter.json and package.json give the same version" \
    "$(jq -r .version "$grammar/package.json")" "$(jq -r .metadata.version "$grammar/tree-sitter.json")"
# The 0.22 CLI reads its language config from package.json, newer ones from
# tree-sitter.json: both must say the same.
for key in scope file-types injection-regex highlights tags; do
    check_eq "package.json and tree-sitter.json agree on $key" \
        "$(jq -c ".grammars[0][\"$key\"]" "$grammar/tree-sitter.json")" \
        "$(jq -c ".[\"tree-sitter\"][0][\"$key\"]" "$grammar/package.json")"
done
for query in $(jq -r '.grammars[0] | (.highlights, .tags)' "$grammar/tree-sitter.json"); do
    check "tree-sitter.json's query $query exists" test -f "$grammar/$query"
done
for file in $(jq -r '.files[]' "$grammar/package.json"); do
    check "package.json's file $file exists" test -e "$grammar/$file"
done

if command -v node >/dev/null 2>&1; then
    check_eq "require('./grammar') gives the language, its queries and node types" \
        "$language true true" \
        "$(node -e "const g = require('$grammar'), fs = require('fs');
            console.log(g.name, fs.existsSync(g.queries.highlights),
                g.nodeTypeInfo.some((t) => t.type === 'article'))" 2>&1)"
else
    tap_skip "require('./grammar') gives the language" "no node on PATH"
fi

# --- the C library -----------------------------------------------------------

# The Makefile builds in place, so build a copy.
cp -rp "$grammar" "$scratch/grammar"
check "make builds and installs the C library" \
    make -C "$scratch/grammar" -s TS=tree-sitter PREFIX="$scratch/prefix" install

cat >"$scratch/parse.c" <<'EOF'
/* Parses the file named on the command line with the installed grammar and
 * prints the root's type and whether the tree has errors. */
#include <stdio.h>
#include <stdlib.h>
#include <tree_sitter/api.h>
#include <tree_sitter/tree-sitter-article.h>

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    FILE *file = fopen(argv[1], "rb");
    if (file == NULL) return 2;
    char text[8192];
    size_t length = fread(text, 1, sizeof text, file);
    fclose(file);
    TSParser *parser = ts_parser_new();
    if (!ts_parser_set_language(parser, tree_sitter_article())) return 3;
    TSTree *tree = ts_parser_parse_string(parser, NULL, text, (uint32_t)length);
    TSNode root = ts_tree_root_node(tree);
    printf("%s %s\n", ts_node_type(root), ts_node_has_error(root) ? "error" : "clean");
    ts_tree_delete(tree);
    ts_parser_delete(parser);
    return 0;
}
EOF
export PKG_CONFIG_PATH=$scratch/prefix/lib/pkgconfig
if flags=$(pkg-config --cflags --libs tree-sitter-article tree-sitter 2>&1); then
    # shellcheck disable=SC2086 # pkg-config's flags are words
    check "a C program compiles against the installed header and library" \
        cc -std=c11 -Wall -Wextra -Werror -o "$scratch/parse" "$scratch/parse.c" $flags
    check_eq "the C program parses an article to a clean article root" "article clean" \
        "$(LD_LIBRARY_PATH=$scratch/prefix/lib "$scratch/parse" "$fixture" 2>&1)"
else
    tap_not_ok "pkg-config finds tree-sitter-article" "$flags"
fi

# --- the tree-sitter CLI -----------------------------------------------------

# The CLI looks for directories named tree-sitter-* in its parser
# directories; the checkout names the grammar grammar/, so link it.
mkdir -p "$scratch/parsers"
ln -s "$grammar" "$scratch/parsers/tree-sitter-$language"
jq -n --arg dir "$scratch/parsers" \
    '{"parser-directories": [$dir], theme: {"markup.heading": {color: 26, bold: true}, number: 94}}' \
    >"$XDG_CONFIG_HOME/tree-sitter/config.json"

html=$(cd "$scratch" && tree-sitter highlight --html "$fixture" 2>&1)
check "tree-sitter highlight styles the headline as a heading" \
    grep -qF "<span style='font-weight: bold;color: #005fd7'>Ferry service returns to the outer islands</span>" <<<"$html"
check "tree-sitter highlight styles numbers" grep -qF "color: #875f00'>240</span>" <<<"$html"

# --- Helix -------------------------------------------------------------------

for query in "$helix"/queries/"$language"/*.scm; do
    name=${query#"$ROOT"/}
    if output=$(cd "$scratch" && tree-sitter query "$query" "$fixture" 2>&1) &&
        ! grep -q "Query error" <<<"$output"; then
        tap_ok "$name compiles against the grammar"
    else
        tap_not_ok "$name compiles against the grammar" "$output"
    fi
done
helix_highlights=$(cd "$scratch" && tree-sitter query "$helix/queries/$language/highlights.scm" "$fixture" 2>&1)
while IFS='|' read -r capture text; do
    check "Helix highlights capture $capture" \
        grep -qF -- "- $capture, " <<<"$(grep -F "text: \`$text" <<<"$helix_highlights")"
done <<'EOF'
markup.heading.1|Ferry service returns
constant.numeric|240`
variable.other.member|Tomas Reid`
diff.plus|{++unanimously ++}`
diff.minus|plan`
markup.bold|{==Fares==}`
string|“We waited
EOF
# Helix themes style a fixed set of scopes; a capture outside them is never drawn.
unknown=$(grep -o '@[a-z.]*' "$helix/queries/$language/highlights.scm" | sort -u |
    grep -vE '^@(attribute|type|constructor|constant|string|comment|variable|label|punctuation|keyword|operator|function|tag|namespace|special|markup|diff)(\.|$)')
check_eq "Helix highlights use only Helix's scopes" "" "$unknown"
check "languages.toml gives the scope tree-sitter.json gives" \
    grep -qF "scope = \"$(jq -r '.grammars[0].scope' "$grammar/tree-sitter.json")\"" "$helix/languages.toml"

done_testing
