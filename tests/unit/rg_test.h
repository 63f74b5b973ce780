/* rg_test — small pieces every unit test needs, linked into each tests/unit/test_*.c.
 *
 * Tests clean their temporary trees here rather than with system("rm -rf ..."): no shell is
 * involved (the project's rule for commands), and a path with a quote in it cannot escape. */
#ifndef RG_TEST_H
#define RG_TEST_H

/* Remove `path` and everything below it, not following symlinks. 0 or -errno (a missing path
 * is not an error). */
int rg_test_rmtree(const char *path);

#endif
