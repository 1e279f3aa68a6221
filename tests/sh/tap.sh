# TAP helpers for the shell end-to-end suites (sourced, not run).
# Each check prints "ok N - name" or "not ok N - name" with the evidence.

ROOT=${DATELINE_ROOT:?DATELINE_ROOT is not set}
TAP_COUNT=0

tap_ok() {
    TAP_COUNT=$((TAP_COUNT + 1))
    printf 'ok %d - %s\n' "$TAP_COUNT" "$1"
}

tap_not_ok() { # tap_not_ok NAME EVIDENCE
    TAP_COUNT=$((TAP_COUNT + 1))
    printf 'not ok %d - %s\n' "$TAP_COUNT" "$1"
    printf '%s\n' "$2" | sed 's/^/#   /'
}

# tap_skip NAME REASON: a check that could not run here (say why).
tap_skip() {
    TAP_COUNT=$((TAP_COUNT + 1))
    printf 'ok %d - %s # SKIP %s\n' "$TAP_COUNT" "$1" "$2"
}

# The project's shared data (the reference article, the corpus), or nothing:
# a clone made from the project's home page has none, and the checks that
# read it say they were not run.
SHARED=${DATELINE_SHARED:-$ROOT/../shared}
SEED=$SHARED/seeds/000_8262d85f5fa5c412.txt
[ -f "$SEED" ] || SEED=

# check NAME COMMAND...: the check passes when COMMAND exits 0.
check() {
    local name=$1 output
    shift
    if output=$("$@" 2>&1); then tap_ok "$name"; else tap_not_ok "$name" "$output"; fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then
        tap_ok "$1"
    else
        tap_not_ok "$1" "expected: $2
actual:   $3"
    fi
}

# scratch_git_world: the built CLI as $DATELINE (or $DATELINE_BIN), and a
# scratch directory $scratch (removed on exit) holding its own HOME, data
# directory and git identity "Jane Doe <jane@example.com>", so nothing of the
# user's configuration or history is read or written.
scratch_git_world() {
    DATELINE=${DATELINE_BIN:-$ROOT/plugin/bin/dateline}
    if [ ! -x "$DATELINE" ]; then
        tap_not_ok "the dateline CLI is built" "missing: $DATELINE"
        done_testing
        exit 1
    fi
    scratch=$(mktemp -d)
    # A test may leave unwritable directories behind; make them removable.
    trap 'chmod -R u+rwx "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
    export HOME=$scratch/home XDG_DATA_HOME=$scratch/data GIT_CONFIG_GLOBAL=$scratch/home/.gitconfig
    export GIT_CONFIG_NOSYSTEM=1
    unset DATELINE_STORE GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_DIR GIT_WORK_TREE NO_COLOR
    mkdir -p "$HOME"
    git config --global user.name "Jane Doe"
    git config --global user.email jane@example.com
}

done_testing() {
    printf '1..%d\n' "$TAP_COUNT"
}
