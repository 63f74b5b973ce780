/* guard_tree — see guard_tree.h. */
#include "guard/guard_tree.h"

#include "guard/guard_proc.h"
#include "guard/guard_spawn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int guard_tree_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : -errno;
}

static int is_live(char state) { return state != 'Z' && state != 'X' && state != 'x'; }

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

void guard_tree_measure(const guard_proc_identity *members, size_t n, guard_tree_sum *sum) {
    memset(sum, 0, sizeof *sum);
    for (size_t i = 0; i < n; i++) {
        guard_proc_stat st;
        if (guard_proc_read_stat(members[i].pid, &st) < 0 || st.starttime_ticks != members[i].starttime_ticks ||
            !is_live(st.state))
            continue;
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
