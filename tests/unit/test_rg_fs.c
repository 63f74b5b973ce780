/* Unit tests: rg_fs and rg_sys_open against planted symlinks (a directory another user can
 * write): the atomic writer's predictable temp name, the lock file and any created file are
 * never written through a link; the file a link points to stays untouched. Also the lock's
 * refusal naming the holder. */
#include "common/rg_fs.h"

#include "common/rg_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rg_test.h"

static char dir[64];
static char target[128]; /* the file a planted link points to */

static int setup(void **st) {
    (void)st;
    snprintf(dir, sizeof dir, "/tmp/rg_fs_XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(target, sizeof target, "%s/target", dir);
    int fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || write(fd, "precious", 8) != 8) return -1;
    close(fd);
    return 0;
}

static int teardown(void **st) {
    (void)st;
    return rg_test_rmtree(dir);
}

static void assert_target_intact(void) {
    char *txt = NULL;
    assert_int_equal(rg_fs_read_file(target, 64, &txt, NULL), 0);
    assert_string_equal(txt, "precious");
    free(txt);
}

static void test_atomic_temp_link(void **st) {
    (void)st;
    char path[128], tmp[160];
    snprintf(path, sizeof path, "%s/state.json", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    assert_int_equal(symlink(target, tmp), 0);
    char err[256];
    assert_int_equal(rg_fs_write_atomic(path, "new\n", 4, 0600, err, sizeof err), 0);
    assert_target_intact();
    char *txt = NULL;
    assert_int_equal(rg_fs_read_file(path, 64, &txt, NULL), 0);
    assert_string_equal(txt, "new\n");
    free(txt);
    struct stat sb;
    assert_int_equal(lstat(path, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(lstat(tmp, &sb), -1); /* the link is gone, renamed over by our own file */
}

static void test_create_never_follows(void **st) {
    (void)st;
    char link[128];
    snprintf(link, sizeof link, "%s/journal.jsonl", dir);
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(rg_sys_open(link, O_WRONLY | O_CREAT | O_APPEND, 0644), -ELOOP);
    assert_target_intact();
    /* opening an existing file without O_CREAT is not this rule's business */
    int fd = rg_sys_open(link, O_RDONLY, 0);
    assert_true(fd >= 0);
    rg_sys_close(fd);
}

static void test_lock(void **st) {
    (void)st;
    char path[128];
    pid_t holder;
    snprintf(path, sizeof path, "%s/x.lock", dir);
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(rg_fs_lock(path, &holder), -ELOOP);
    assert_target_intact();
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkfifo(path, 0600), 0); /* not a regular file: refused, without blocking */
    assert_int_equal(rg_fs_lock(path, &holder), -EINVAL);
    assert_int_equal(unlink(path), 0);
    int fd = rg_fs_lock(path, &holder);
    assert_true(fd >= 0);
    assert_int_equal(rg_fs_lock(path, &holder), -EWOULDBLOCK);
    assert_int_equal(holder, getpid());
    rg_sys_close(fd);
    fd = rg_fs_lock(path, &holder);
    assert_true(fd >= 0);
    rg_sys_close(fd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_atomic_temp_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_never_follows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
