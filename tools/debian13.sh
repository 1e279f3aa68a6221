#!/usr/bin/env bash
# Debian 13's tree-sitter CLI and Neovim, for systems whose own are missing or
# too old (Debian 12 ships no tree-sitter CLI and Neovim 0.7).
#
#   tools/debian13.sh CACHE TOOL...     TOOL: tree-sitter, nvim
#
# Fetches Debian 13's packages into CACHE/debian13 with a private apt
# configuration (the system's sources and package database are never
# touched, nothing is installed, no root needed) and writes a wrapper
# CACHE/bin/TOOL for each TOOL. `./build.sh deps` calls it.
#
# The binaries run as themselves, not through "ld.so --library-path": Neovim's
# TUI re-executes its own binary for its server. So each binary gets Debian
# 13's libraries through an RPATH relative to itself ($ORIGIN), and Debian
# 13's loader as its ELF interpreter. An interpreter can only be an absolute
# path, so the wrapper, which finds the cache from its own location, re-points
# it (patchelf) whenever the cache has been moved or copied since.
#
# Environment: DATELINE_DEBIAN_MIRROR (default: the Debian archive the
# system's own apt sources name, else deb.debian.org).
set -euo pipefail

PACKAGES=(tree-sitter-cli neovim neovim-runtime libc6 libgcc-s1
    libluajit-5.1-2 libmsgpack-c2 libtree-sitter0.22 libunibilium4 libuv1t64
    libvterm0 lua-lpeg lua-luv libutf8proc3)
LIBDIR=usr/lib/x86_64-linux-gnu
LOADER=$LIBDIR/ld-linux-x86-64.so.2

say() { printf '%s\n' "$*" >&2; }
die() { say "debian13.sh: $*"; exit 1; }

[ $# -ge 2 ] || die "usage: tools/debian13.sh CACHE TOOL... (tree-sitter, nvim)"
mkdir -p "$1"
CACHE=$(cd "$1" && pwd -P)
shift

[ "$(uname -m)" = x86_64 ] ||
    die "Debian 13's builds are only fetched for x86_64; install the tree-sitter CLI and Neovim yourself"
for command in apt-get dpkg-deb patchelf; do
    command -v "$command" >/dev/null 2>&1 || die "$command is needed to fetch Debian 13's tools"
done

# The Debian archive the system's own apt sources name; Debian 13 comes from
# the same place.
debian_mirror() {
    if [ -n "${DATELINE_DEBIAN_MIRROR:-}" ]; then
        printf '%s\n' "$DATELINE_DEBIAN_MIRROR"
        return
    fi
    local mirror
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -v '^[[:space:]]*#' | grep -o 'https\?://[^ ]*' |
        sed 's:/*$::' | grep '/debian$' | head -n1 || true)
    printf '%s\n' "${mirror:-http://deb.debian.org/debian}"
}

# Unpacks into a fresh folder and swaps it in whole, so a fetch that fails
# half-way leaves the previous tools in place, and a tool already running
# from them keeps its files.
fetch() {
    local dir=$CACHE/debian13
    # The stamp names the package list and how they are unpacked.
    local stamp
    stamp=.complete-$(printf '%s\n' origin-relative "${PACKAGES[@]}" | cksum | cut -d' ' -f1)
    [ -f "$dir/unpacked/$stamp" ] && return 0

    local mirror work
    mirror=$(debian_mirror)
    say "Fetching Debian 13 builds of the tree-sitter CLI and Neovim from $mirror into $dir"
    work=$(mktemp -d "$CACHE/debian13.new.XXXXXX")
    chmod 755 "$work" # mktemp makes it private; the cache may be shared
    # shellcheck disable=SC2064 # the folder is known now
    trap "rm -rf '$work'" EXIT
    mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/unpacked"
    printf 'deb %s trixie main\n' "$mirror" > "$work/trixie.list"
    : > "$work/status"
    local apt_options=(
        -o "Dir::Etc::SourceList=$work/trixie.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
        -o "Dir::State::Status=$work/status" -o Debug::NoLocking=1
        -o APT::Sandbox::User="$(id -un)")
    apt-get "${apt_options[@]}" -q update >/dev/null ||
        die "could not read the Debian 13 package lists from $mirror"
    (cd "$work/debs" && apt-get "${apt_options[@]}" -q download "${PACKAGES[@]}" >/dev/null) ||
        die "could not download Debian 13 packages: ${PACKAGES[*]}"
    local deb binary
    for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/unpacked"; done
    # DT_RPATH (--force-rpath), unlike RUNPATH, also serves the libraries'
    # own dependencies; $ORIGIN keeps it true wherever the cache goes.
    for binary in tree-sitter nvim; do
        patchelf --force-rpath \
            --set-rpath "\$ORIGIN/../${LIBDIR#usr/}:\$ORIGIN/../${LIBDIR#usr/}/lua/5.1" \
            "$work/unpacked/usr/bin/$binary"
    done
    rm -rf "$work/debs" "$work/cache" "$work/lists" "$work/status" "$work/trixie.list"
    touch "$work/unpacked/$stamp"
    rm -rf "$dir.old"
    if [ -e "$dir" ]; then mv "$dir" "$dir.old"; fi
    mv "$work" "$dir"
    trap - EXIT
    rm -rf "$dir.old"
}

# write_wrapper NAME ENV: CACHE/bin/NAME runs Debian 13's NAME with ENV set.
write_wrapper() {
    local name=$1 env=$2
    mkdir -p "$CACHE/bin"
    cat > "$CACHE/bin/$name.new" <<EOF
#!/bin/sh
# Debian 13's $name, run as itself with Debian 13's loader (written by
# tools/debian13.sh). The cache is found from this file's own place, so it
# may be moved or copied: the binary's ELF interpreter, an absolute path, is
# re-pointed with patchelf when it names another place than this cache's.
self=\$(readlink -f -- "\$0") || exit 127
root=\${self%/bin/*}/debian13/unpacked
binary=\$root/usr/bin/$name
loader=\$root/$LOADER
patched=
[ -r "\$binary.interpreter" ] && read -r patched < "\$binary.interpreter"
if [ "\$patched" != "\$loader" ]; then
    # A copy is patched and renamed into place: a copy of this wrapper
    # running at the same time, or a running $name, sees one whole binary.
    if ! { cp -p "\$binary" "\$binary.\$\$" &&
        patchelf --set-interpreter "\$loader" "\$binary.\$\$" &&
        mv -f "\$binary.\$\$" "\$binary" &&
        printf '%s\n' "\$loader" > "\$binary.interpreter.\$\$" &&
        mv -f "\$binary.interpreter.\$\$" "\$binary.interpreter"; }; then
        rm -f "\$binary.\$\$" "\$binary.interpreter.\$\$"
        echo "$name: could not point \$binary at \$loader (needs patchelf and a writable cache); run ./build.sh deps" >&2
        exit 127
    fi
fi
${env}exec "\$binary" "\$@"
EOF
    chmod +x "$CACHE/bin/$name.new"
    mv "$CACHE/bin/$name.new" "$CACHE/bin/$name"
    # The first run points the binary at this cache's loader, and proves it runs.
    "$CACHE/bin/$name" --version >/dev/null ||
        die "Debian 13's $name does not run here (tried $CACHE/bin/$name --version)"
}

fetch
for tool in "$@"; do
    case "$tool" in
        tree-sitter) write_wrapper tree-sitter "" ;;
        nvim) write_wrapper nvim 'VIMRUNTIME="$root/usr/share/nvim/runtime" ' ;;
        *) die "unknown tool '$tool' (tree-sitter or nvim)" ;;
    esac
done
