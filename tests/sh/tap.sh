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

done_testing() {
    printf '1..%d\n' "$TAP_COUNT"
}
