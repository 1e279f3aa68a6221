# plugin.json is the manifest build.sh and the editor read: it must parse, and
# after a build everything it names must exist and agree with the binaries.
set -u
. "$(dirname "$0")/tap.sh"
cd "$ROOT" || exit 1

check "plugin.json parses as JSON" jq . plugin.json

version=$(jq -r .version plugin.json)
check "the version is semver" grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$' <<<"$version"

for key in name version description license language runtime; do
    check "plugin.json has a $key" jq -e ".$key | strings | length > 0" plugin.json
done

for artifact in $(jq -r '.artifacts | keys[]' plugin.json); do
    path=$(jq -r ".artifacts.$artifact" plugin.json)
    check "artifact $artifact exists after a build ($path)" test -e "$path"
done

grammar=$(jq -r .grammar.path plugin.json)
check "the grammar lives at $grammar" test -f "$grammar/grammar.js"
queries=$(jq -r .artifacts.queries plugin.json)
for query in $(jq -r '.grammar.queries[]' plugin.json); do
    check "query $query is in the grammar" test -f "$grammar/queries/$query"
    check "query $query is installed for Neovim" cmp "$grammar/queries/$query" "$queries/$query"
done

cli=$(jq -r .artifacts.cli plugin.json)
check_eq "dateline --version matches plugin.json" "dateline $version" "$("$cli" --version 2>&1)"

check "the parser exports tree_sitter_$(jq -r .language plugin.json)" \
    sh -c "nm -D --defined-only '$(jq -r .artifacts.parser plugin.json)' | grep -qw tree_sitter_$(jq -r .language plugin.json)"

done_testing
