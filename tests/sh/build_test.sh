# build.sh's promises: help lists every command, unknown commands are usage
# errors, a second build with nothing changed compiles nothing, and the
# Debian 13 tools in the cache keep working after the cache is moved.
set -u
. "$(dirname "$0")/tap.sh"
cd "$ROOT" || exit 1

help=$(./build.sh --help 2>&1)
for command in deps build test install uninstall demo bench; do
    check "--help lists $command" grep -Eq "^  $command( |\$)" <<<"$help"
done

./build.sh frobnicate >/dev/null 2>&1
check_eq "an unknown command exits 2" 2 $?

check "a build with nothing changed has nothing to do" make -q -C "$ROOT" all

# The Debian 13 tools (when the system's own do not fit) keep working when
# the cache is copied and the copy moved: the original place is gone for the
# copy, and Neovim's binary must still run as itself (its TUI re-executes it).
CACHE=${DATELINE_CACHE:-$ROOT/.cache}
if grep -qs debian13 "$CACHE/bin/nvim" && grep -qs debian13 "$CACHE/bin/tree-sitter"; then
    scratch=$(mktemp -d)
    mkdir "$scratch/first"
    cp -a "$CACHE/bin" "$CACHE/debian13" "$scratch/first/"
    check "the copied cache's nvim runs" "$scratch/first/bin/nvim" --version
    mv "$scratch/first" "$scratch/moved"
    check "the moved cache's nvim runs" "$scratch/moved/bin/nvim" --version
    check "the moved cache's tree-sitter runs" "$scratch/moved/bin/tree-sitter" --version
    check "the moved cache's nvim binary runs as itself, without the wrapper" \
        "$scratch/moved/debian13/unpacked/usr/bin/nvim" --version
    check "the moved cache's nvim finds its runtime" \
        "$scratch/moved/bin/nvim" --clean --headless -c 'lua assert(vim.treesitter)' -c 'qa!'
    rm -rf "$scratch"
else
    tap_ok "Debian 13's tools work from a moved cache # SKIP the system's own nvim and tree-sitter are used"
fi

# install/uninstall into a scratch HOME: reversible, and prints what it did.
scratch=$(mktemp -d)
if install_log=$(HOME=$scratch XDG_DATA_HOME=$scratch/share PREFIX=$scratch/prefix ./build.sh install 2>&1); then
    tap_ok "install succeeds"
else
    tap_not_ok "install succeeds" "$install_log"
fi
check "install puts the CLI under PREFIX/bin" test -x "$scratch/prefix/bin/dateline"
check "install links the runtime directory into Neovim's package path" \
    test "$(readlink "$scratch/share/nvim/site/pack/dateline/start/dateline")" = "$ROOT/plugin"
check "install says what it did" grep -q "installed $scratch/prefix/bin/dateline" <<<"$install_log"
HOME=$scratch XDG_DATA_HOME=$scratch/share PREFIX=$scratch/prefix ./build.sh uninstall >/dev/null 2>&1
check "uninstall removes the CLI" test ! -e "$scratch/prefix/bin/dateline"
check "uninstall removes the package link" test ! -e "$scratch/share/nvim/site/pack/dateline"
rm -rf "$scratch"

done_testing
