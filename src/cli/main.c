/* recguard — multi-call entry point: `recguard <verb> [args]`. Dispatch only.
 *
 * Built three times from one table (src/cli/CMakeLists.txt): `recguard` (daemon, clients, bag
 * tools: no DDS, no HTTP), `recguard-web` (RG_CLI_WEB: the dashboard server) and `recguard-dds`
 * (RG_CLI_DDS: every verb). A verb this build lacks (NULL in the table) is run by exec'ing the
 * executable named in its row from this binary's own directory, with the same argv.
 */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if defined(RG_CLI_DDS)
#define DDS_VERB(fn) fn
#define WEB_VERB(fn) fn
#elif defined(RG_CLI_WEB)
#define DDS_VERB(fn) NULL
#define WEB_VERB(fn) fn
#else
#define DDS_VERB(fn) NULL
#define WEB_VERB(fn) NULL
#endif

#define CLI_DDS_EXE "recguard-dds" /* the DDS verbs' executable, beside this one */
#define CLI_WEB_EXE "recguard-web" /* the dashboard server's executable, beside this one */

typedef struct cli_verb {
    const char *name;                /* argv[1] */
    int (*fn)(int argc, char **argv); /* receives argv starting at the verb; NULL: run `exe` */
    const char *help;                /* one line for `recguard help` */
    const char *exe;                 /* the sibling executable that has it, NULL: every build */
} cli_verb;

static const cli_verb verbs[] = {
    {"daemon", cli_daemon_main, "run the guardian: supervise a recorder, serve the control socket", NULL},
    {"start", cli_start_main, "ask the daemon to start recording", NULL},
    {"stop", cli_stop_main, "ask the daemon to stop recording gracefully", NULL},
    {"split", cli_split_main, "ask the daemon to start a new segment", NULL},
    {"snapshot", cli_snapshot_main, "ask the built-in recorder in snapshot mode to write what it holds", NULL},
    {"pause", cli_pause_main, "ask the daemon to pause the built-in recorder (records nothing until resume)", NULL},
    {"resume", cli_resume_main, "ask the daemon to resume the paused built-in recorder", NULL},
    {"status", cli_status_main, "show the daemon's state (--json for machines)", NULL},
    {"watch", cli_watch_main, "stream the daemon's events", NULL},
    {"record", DDS_VERB(cli_record_main), "record ROS 2 / DDS topics into MCAP (like ros2 bag record)", CLI_DDS_EXE},
    {"demo", DDS_VERB(cli_demo_main), "publish demo ROS 2 traffic", CLI_DDS_EXE},
    {"info", cli_info_main, "summarize a bag or MCAP file (like ros2 bag info)", NULL},
    {"doctor", cli_doctor_main, "validate an MCAP file's structure and CRCs", NULL},
    {"web", WEB_VERB(cli_web_main), "serve the dashboard, JSON API and Prometheus /metrics over HTTP", CLI_WEB_EXE},
    {"recover", cli_recover_main, "rebuild a cut-short MCAP file (0 lossless, 3 lossy, 1 nothing)", NULL},
    {"hz", DDS_VERB(cli_hz_main), "message rate of topics (like ros2 topic hz)", CLI_DDS_EXE},
    {"bw", DDS_VERB(cli_bw_main), "bandwidth of topics (like ros2 topic bw)", CLI_DDS_EXE},
    {"topics", DDS_VERB(cli_topics_main), "every topic on the domain: rate, bandwidth, status, recorded, loss", CLI_DDS_EXE},
    {"monitor", DDS_VERB(cli_monitor_main), "measure the topics the recorder does not record (lowest priority)", CLI_DDS_EXE},
};

static void usage(FILE *out) {
    fprintf(out, "usage: recguard <verb> [options]\n\nverbs:\n");
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        fprintf(out, "  %-8s %s\n", verbs[i].name, verbs[i].help);
    fprintf(out, "\n`recguard <verb> --help` describes a verb.\n");
}

/* Replace this process with the sibling `exe` beside our own binary (same pid: a supervisor
 * that started `recguard record` keeps tracking the recorder itself). Returns only on failure. */
static int exec_sibling(const char *exe, char **argv) {
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n < 0) {
        fprintf(stderr, "recguard: readlink(/proc/self/exe): %s\n", strerror(errno));
        return CLI_EXIT_FAIL;
    }
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (!slash || (size_t)(slash - path) + 2 + strlen(exe) > sizeof path) {
        fprintf(stderr, "recguard: cannot place %s beside %s\n", exe, path);
        return CLI_EXIT_FAIL;
    }
    memcpy(slash + 1, exe, strlen(exe) + 1);
    execv(path, argv);
    fprintf(stderr, "recguard %s: needs %s: %s\n", argv[1], path, strerror(errno));
    return CLI_EXIT_FAIL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(argv[1], verbs[i].name) == 0)
            return verbs[i].fn ? verbs[i].fn(argc - 1, argv + 1) : exec_sibling(verbs[i].exe, argv);
    fprintf(stderr, "recguard: unknown verb '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
