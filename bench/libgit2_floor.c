/*
 * The libgit2 start-up floor (built by bench/vsgit.sh): a process that
 * only initialises libgit2 and shuts it down. Every dateline command that
 * opens a store pays this before doing anything of its own; the bench
 * subtracts it to see what is dateline's.
 */
#include <git2.h>

int main(void)
{
    git_libgit2_init();
    git_libgit2_shutdown();
    return 0;
}
