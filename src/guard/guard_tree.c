/* guard_tree — see guard_tree.h. */
#include "guard/guard_tree.h"

#include "guard/guard_proc.h"
#include "guard/guard_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int guard_tree_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : -errno;
}

static int is_live(char state) { return state != 'Z' && state != 'X' && state != 'x'; }

static void note_leader(const guard_proc_stat *p, pid_t leader, guard_tree_sum *sum) {
    if (leader <= 0 || p->pid != leader) return;
    sum->has_leader = 1;
    sum->leader = *p;
}

static void signal_member(const guard_proc_stat *p, int sig, guard_tree_sum *sum) {
    guard_proc_identity id = {.pid = p->pid, .starttime_ticks = p->starttime_ticks};
    int pidfd;
    char err[128];
    if (guard_spawn_adopt(&id, &pidfd, err, sizeof err) < 0) return; /* gone or reused */
    if (guard_spawn_signal(pidfd, sig) == 0) sum->signalled++;
    close(pidfd);
}

static uint64_t page_bytes(void) {
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? (uint64_t)page : 4096;
}

int guard_tree_walk(pid_t leader, const pid_t *skip, size_t nskip, int sig, guard_tree_sum *sum,
                    guard_proc_identity *members, size_t cap, size_t *nmembers) {
    memset(sum, 0, sizeof *sum);
    if (nmembers) *nmembers = 0;
    guard_proc_stat *tab;
    size_t n;
    int rc = guard_proc_scan(&tab, &n);
    if (rc < 0) return rc;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx) {
        free(tab);
        return -ENOMEM;
    }
    size_t m = guard_proc_tree_select(tab, n, leader, getpid(), skip, nskip, idx, n);
    for (size_t k = 0; k < m; k++) {
        const guard_proc_stat *p = &tab[idx[k]];
        note_leader(p, leader, sum);
        if (!is_live(p->state)) continue;
        sum->procs++;
        sum->rss_bytes += p->rss_pages * page_bytes();
        sum->cpu_ns += guard_proc_cpu_ns(p);
        if (nmembers && *nmembers < cap)
            members[(*nmembers)++] = (guard_proc_identity){.pid = p->pid, .starttime_ticks = p->starttime_ticks};
        if (p->pid == leader) continue;
        sum->others++;
        if (sig > 0) signal_member(p, sig, sum);
    }
    free(idx);
    free(tab);
    return 0;
}

void guard_tree_measure(const guard_proc_identity *members, size_t n, pid_t leader, guard_tree_sum *sum) {
    memset(sum, 0, sizeof *sum);
    for (size_t i = 0; i < n; i++) {
        guard_proc_stat st;
        if (guard_proc_read_stat(members[i].pid, &st) < 0 || st.starttime_ticks != members[i].starttime_ticks)
            continue;
        note_leader(&st, leader, sum);
        if (!is_live(st.state)) continue;
        sum->procs++;
        sum->rss_bytes += st.rss_pages * page_bytes();
        sum->cpu_ns += guard_proc_cpu_ns(&st);
    }
}

static int in_list(pid_t pid, const pid_t *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (list[i] == pid) return 1;
    return 0;
}

void guard_tree_reap_orphans(const pid_t *keep, size_t nkeep) {
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0) return;
        if (in_list(si.si_pid, keep, nkeep)) return; /* its owner reaps it on its pidfd */
        waitpid(si.si_pid, NULL, WNOHANG);
    }
}

/* ---- cgroup v2 ---------------------------------------------------------------------------- */

/* Read a small file whole (NUL-terminated). Bytes or -errno. */
static ssize_t read_text(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    size_t used = 0;
    for (ssize_t n; used + 1 < cap && (n = read(fd, buf + used, cap - 1 - used)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        used += (size_t)n;
    }
    close(fd);
    buf[used] = '\0';
    return (ssize_t)used;
}

/* The cgroup v2 mount point, from /proc/self/mountinfo ("... MOUNTPOINT ... - cgroup2 ..."):
 * /sys/fs/cgroup on a unified system, /sys/fs/cgroup/unified on a hybrid one. */
static int cgroup2_mount(char *out, size_t len) {
    enum { MOUNTINFO_MAX = 1 << 16 };
    char *buf = malloc(MOUNTINFO_MAX);
    if (!buf) return -ENOMEM;
    int rc = -ENOENT;
    if (read_text("/proc/self/mountinfo", buf, MOUNTINFO_MAX) < 0) goto out;
    for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        const char *sep = strstr(line, " - cgroup2 ");
        if (!sep) continue;
        char mnt[PATH_MAX];
        /* fields: id parent major:minor root mountpoint ... */
        if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1) continue;
        rc = snprintf(out, len, "%s", mnt) >= (int)len ? -ENAMETOOLONG : 0;
        break;
    }
out:
    free(buf);
    return rc;
}

/* "0::/a/b" of /proc/PID/cgroup into "/a/b" ("" for the root). */
static int cgroup_rel(pid_t pid, char *out, size_t len) {
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
    ssize_t n = read_text(path, buf, sizeof buf);
    if (n < 0) return (int)n;
    for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        if (strncmp(line, "0::", 3) != 0) continue;
        const char *rel = strcmp(line + 3, "/") == 0 ? "" : line + 3;
        return snprintf(out, len, "%s", rel) >= (int)len ? -ENAMETOOLONG : 0;
    }
    return -ENOENT;
}

int guard_tree_cgroup_of(pid_t pid, char *path, size_t len) {
    char mnt[PATH_MAX], rel[PATH_MAX];
    int rc;
    if ((rc = cgroup2_mount(mnt, sizeof mnt)) < 0 || (rc = cgroup_rel(pid, rel, sizeof rel)) < 0) return rc;
    return snprintf(path, len, "%s%s", mnt, rel) >= (int)len ? -ENAMETOOLONG : 0;
}

int guard_tree_cgroup_create(const char *name, char *path, size_t len, int *procs_fd) {
    char self[PATH_MAX], procs[PATH_MAX + 16];
    int rc = guard_tree_cgroup_of(getpid(), self, sizeof self);
    if (rc < 0) return rc;
    if (snprintf(path, len, "%s/%s", self, name) >= (int)len) return -ENAMETOOLONG;
    if (mkdir(path, 0755) < 0) return -errno;
    snprintf(procs, sizeof procs, "%s/cgroup.procs", path);
    *procs_fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (*procs_fd < 0) {
        rc = -errno;
        rmdir(path);
        return rc;
    }
    return 0;
}

int guard_tree_cgroup_remove(const char *path) { return rmdir(path) == 0 ? 0 : -errno; }

int guard_tree_walk_cgroup(const char *cgroup, pid_t leader, int sig, guard_tree_sum *sum,
                           guard_proc_identity *members, size_t cap, size_t *nmembers) {
    memset(sum, 0, sizeof *sum);
    if (nmembers) *nmembers = 0;
    char path[PATH_MAX + 16];
    if (snprintf(path, sizeof path, "%s/cgroup.procs", cgroup) >= (int)sizeof path) return -ENAMETOOLONG;
    char *buf = malloc(1 << 16);
    if (!buf) return -ENOMEM;
    ssize_t n = read_text(path, buf, 1 << 16);
    if (n < 0) {
        free(buf);
        return (int)n;
    }
    for (char *p = buf, *end; *p; p = end) {
        long pid = strtol(p, &end, 10);
        if (end == p) break;
        guard_proc_stat st;
        if (pid <= 0 || pid > INT_MAX || guard_proc_read_stat((pid_t)pid, &st) < 0) continue;
        note_leader(&st, leader, sum);
        if (!is_live(st.state)) continue;
        sum->procs++;
        sum->rss_bytes += st.rss_pages * page_bytes();
        sum->cpu_ns += guard_proc_cpu_ns(&st);
        if (nmembers && *nmembers < cap)
            members[(*nmembers)++] = (guard_proc_identity){.pid = st.pid, .starttime_ticks = st.starttime_ticks};
        if (st.pid == leader) continue;
        sum->others++;
        if (sig > 0) signal_member(&st, sig, sum);
    }
    free(buf);
    return 0;
}

void guard_tree_cgroup_sweep(const char *prefix) {
    char self[PATH_MAX], path[PATH_MAX + 256];
    if (guard_tree_cgroup_of(getpid(), self, sizeof self) < 0) return;
    DIR *dir = opendir(self);
    if (!dir) return;
    size_t plen = strlen(prefix);
    for (struct dirent *e; (e = readdir(dir));) {
        if (strncmp(e->d_name, prefix, plen) != 0) continue;
        char *end;
        long pid = strtol(e->d_name + plen, &end, 10);
        if (end == e->d_name + plen || *end != '.' || pid <= 0 || pid > INT_MAX) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* its daemon lives */
        if (snprintf(path, sizeof path, "%s/%s", self, e->d_name) < (int)sizeof path) rmdir(path);
    }
    closedir(dir);
}
