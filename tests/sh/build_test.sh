# build.sh's promises: help lists every command, unknown commands are usage
# errors, a second build with nothing changed compiles nothing, `build`
# installs nothing, `make` works on a fresh clone, and the Debian 13 tools in
# the cache keep working after the cache is moved.
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

# `build` is what plugin managers run: it must never install anything. The
# installers are stubs that record being called.
scratch=$(mktemp -d)
mkdir -p "$scratch/stubs"
for installer in apt-get apt sudo npm; do
    printf '#!/bin/sh\necho "%s $*" >> "%s"\nexit 1\n' "$installer" "$scratch/installs.log" \
        > "$scratch/stubs/$installer"
    chmod +x "$scratch/stubs/$installer"
done
: > "$scratch/installs.log"
if build_log=$(PATH=$scratch/stubs:$PATH ./build.sh build 2>&1); then
    tap_ok "build succeeds when every tool is present"
else
    tap_not_ok "build succeeds when every tool is present" "$build_log"
fi
check_eq "build runs no apt-get, sudo or npm when every tool is present" "" "$(cat "$scratch/installs.log")"

# A PATH with every command but cc, and a pkg-config that knows no libgit2.
mkdir -p "$scratch/path"
IFS=: read -ra path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
    [ -d "$dir" ] && ln -s "$dir"/* "$scratch/path/" 2>/dev/null
done
rm -f "$scratch/path/cc" "$scratch/path/pkg-config"
printf '#!/bin/sh\ncase " $* " in *" libgit2 "*) exit 1 ;; esac\nexec %s "$@"\n' \
    "$(command -v pkg-config)" > "$scratch/stubs/pkg-config"
chmod +x "$scratch/stubs/pkg-config"
build_log=$(PATH=$scratch/stubs:$scratch/path ./build.sh build 2>&1)
check_eq "build with a tool missing fails" 1 $?
check "build names the missing command" grep -q 'missing cc' <<<"$build_log"
check "build names the missing library" grep -q 'libgit2' <<<"$build_log"
check "build says to run ./build.sh deps" grep -q './build.sh deps' <<<"$build_log"
check_eq "build with a tool missing runs no apt-get, sudo or npm" "" "$(cat "$scratch/installs.log")"
rm -rf "$scratch"

# `make` on its own, in a fresh clone: no build.sh, no build/config.mk.
scratch=$(mktemp -d)
git clone -q "$ROOT" "$scratch/clone"
if make_log=$(make -C "$scratch/clone" --no-print-directory -j2 plugin/bin/dateline 2>&1); then
    tap_ok "make builds the CLI in a fresh clone"
else
    tap_not_ok "make builds the CLI in a fresh clone" "$make_log"
fi
check_eq "the fresh clone's CLI has plugin.json's version" \
    "dateline $(jq -r .version plugin.json)" "$("$scratch/clone/plugin/bin/dateline" --version 2>&1)"
rm -rf "$scratch"

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
# dateline runs dateline-history and dateline-serve from its own folder:
# the installed trio works wherever PATH finds it.
check "install puts the history commands' program beside the CLI" \
    test -x "$scratch/prefix/bin/dateline-history"
printf 'Council backs the bus pilot\n\nOLYMPIA, WA – The council voted.\n' > "$scratch/story.txt"
check "the installed dateline records and lists history through dateline-history, found beside it" \
    sh -c "cd '$scratch' && export HOME='$scratch' DATELINE_STORE='$scratch/store.git' &&
           PATH='$scratch/prefix/bin' dateline snapshot -m first story.txt >/dev/null &&
           PATH='$scratch/prefix/bin' dateline log story.txt | grep -q first"
check "the installed dateline runs its web server, found beside it" \
    sh -c "PATH='$scratch/prefix/bin' dateline serve --help | grep -q '^usage: dateline serve'"
HOME=$scratch XDG_DATA_HOME=$scratch/share PREFIX=$scratch/prefix ./build.sh uninstall >/dev/null 2>&1
check "uninstall removes the CLI" test ! -e "$scratch/prefix/bin/dateline"
check "uninstall removes the history commands' program" \
    test ! -e "$scratch/prefix/bin/dateline-history"
check "uninstall removes the web server's program" test ! -e "$scratch/prefix/bin/dateline-serve"
check "uninstall removes the package link" test ! -e "$scratch/share/nvim/site/pack/dateline"
rm -rf "$scratch"

done_testing
