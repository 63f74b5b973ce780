/* rg_test — see rg_test.h. */
#include "rg_test.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st, (void)type, (void)ftw;
    return remove(path) < 0 ? -1 : 0;
}

int rg_test_rmtree(const char *path) {
    /* Depth first so directories are empty when their turn comes; FTW_PHYS: a symlink is
     * removed, never followed out of the tree. */
    if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0) return 0;
    return errno == ENOENT ? 0 : -errno;
}
