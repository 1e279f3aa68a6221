# build.sh's promises: help lists every command, unknown commands are usage
# errors, and a second build with nothing changed compiles nothing.
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
