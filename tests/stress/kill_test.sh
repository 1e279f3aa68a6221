# Writers killed at random moments (SIGKILL: no cleanup at all), two
# hundred of them as issue 16 asks, then: the repository passes `git fsck --strict`, every
# later snapshot records, and no lock a killed writer left blocks it (a
# stale lock is broken by dateline itself, nobody removes it by hand).
# Part of ./build.sh test --stress: it waits out the stale-lock age.
set -u
. "$(dirname "$0")/../sh/tap.sh"

scratch_git_world
KILLS=${STRESS_KILLS:-200}

repo=$scratch/repo
git init -q -b master "$repo"
cd "$repo" || exit 1

# A long article, so that a snapshot lasts long enough (parse, diff, pack,
# ref update) for the kills to land all along it, not only at its start.
write_article() { # write_article N: a distinct version N
    {
        printf 'Version %d of the council story\n\n' "$1"
        printf 'OLYMPIA, WA – The council met on Tuesday (draft %d).\n\n' "$1"
        for p in $(seq 1 400); do
            printf '"We heard from %d residents," said Ana Ruiz, the clerk, in paragraph %d of draft %d.\n\n' \
                "$((p * 7))" "$p" "$1"
        done
    } > story.txt
}

write_article 0
check "the first version records" "$DATELINE" snapshot story.txt
started=$(date +%s%N)
"$DATELINE" snapshot story.txt >/dev/null
write_article 1
"$DATELINE" snapshot story.txt >/dev/null
one_snapshot_ms=$((($(date +%s%N) - started) / 2000000))
[ "$one_snapshot_ms" -gt 0 ] || one_snapshot_ms=1

killed=0
for i in $(seq 2 $((KILLS + 1))); do
    write_article "$i"
    "$DATELINE" snapshot story.txt -m "draft $i" >/dev/null 2>&1 &
    victim=$!
    # A random moment within about twice a snapshot's length (0 ms included),
    # so that most die mid-way and some finish.
    sleep "$(printf '0.%03d' $((RANDOM % (2 * one_snapshot_ms + 1) % 1000)))"
    kill -9 "$victim" 2>/dev/null
    wait "$victim" 2>/dev/null
    # 128 + SIGKILL: the kill landed before the writer was done.
    [ $? -ne 137 ] || killed=$((killed + 1))
done
# The kills must land mid-way for the rest to mean anything: some writers
# die, and the versions recorded show others got far enough (a writer
# killed after its ref moved, while storing its note, counts in both).
recorded=$(git --git-dir=.git/dateline rev-list --count refs/dateline/story.txt)
check "$KILLS writers: $killed killed mid-way, $((recorded - 2)) of $KILLS versions recorded (a snapshot takes ~${one_snapshot_ms} ms)" \
    test "$killed" -gt $((KILLS / 4))

check "git fsck --strict is clean after the kills" git --git-dir=.git/dateline fsck --strict --no-progress
# The versions that did record are whole: each one's article reads back.
broken=
for c in $(git --git-dir=.git/dateline rev-list refs/dateline/story.txt); do
    git --git-dir=.git/dateline show "$c:story.txt" | head -1 | grep -q '^Version [0-9]* of the council story$' || broken="$broken $c"
done
check_eq "every recorded version reads back whole" "" "$broken"

# A lock younger than dateline's stale age (10 s) may belong to a live
# writer, so dateline waits for it and then refuses; past that age it is a
# dead writer's and is broken. Wait out the age once, then no snapshot may
# be blocked by what the killed writers left.
locks=$(find .git -name '*.lock' | wc -l | tr -d ' ')
[ "$locks" -eq 0 ] || sleep 11
failed_later=
for i in $(seq 1001 1010); do
    write_article "$i"
    out=$(timeout 20 "$DATELINE" snapshot story.txt -m "later $i" 2>&1) || failed_later="$failed_later
draft $i: $out"
done
check_eq "every later snapshot records ($locks lock files were left by the kills)" "" "$failed_later"
check_eq "the newest version is the last draft" "Version 1010 of the council story" \
    "$("$DATELINE" show @ story.txt | head -1)"
check_eq "the ten later versions are in the log, each with its note" "10" \
    "$("$DATELINE" log --json story.txt | jq '[.versions[] | select(.note // "" | startswith("later "))] | length')"
check_eq "no lock file is left once the later snapshots are done" "" "$(find .git -name '*.lock')"
check "git fsck --strict is clean at the end" git --git-dir=.git/dateline fsck --strict --no-progress

done_testing
