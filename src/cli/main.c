/* recguard — multi-call entry point: `recguard <verb> [args]`. Dispatch only. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

typedef struct cli_verb {
    const char *name;                /* argv[1] */
    int (*fn)(int argc, char **argv); /* receives argv starting at the verb */
    const char *help;                /* one line for `recguard help` */
} cli_verb;

static const cli_verb verbs[] = {
    {"daemon", cli_daemon_main, "run the guardian: supervise a recorder, serve the control socket"},
    {"start", cli_start_main, "ask the daemon to start recording"},
    {"stop", cli_stop_main, "ask the daemon to stop recording gracefully"},
    {"split", cli_split_main, "ask the daemon to start a new segment"},
    {"status", cli_status_main, "show the daemon's state (--json for machines)"},
    {"watch", cli_watch_main, "stream the daemon's events"},
    {"record", cli_record_main, "record ROS 2 / DDS topics into MCAP (like ros2 bag record)"},
    {"demo", cli_demo_main, "publish demo ROS 2 traffic"},
    {"info", cli_info_main, "summarize a bag or MCAP file (like ros2 bag info)"},
    {"doctor", cli_doctor_main, "validate an MCAP file's structure and CRCs"},
    {"recover", cli_recover_main, "rebuild a cut-short MCAP file (0 lossless, 3 lossy, 1 nothing)"},
    {"hz", cli_hz_main, "message rate of topics (like ros2 topic hz)"},
    {"bw", cli_bw_main, "bandwidth of topics (like ros2 topic bw)"},
    {"topics", cli_topics_main, "every topic on the domain: rate, bandwidth, status, recorded, loss"},
    {"monitor", cli_monitor_main, "measure the topics the recorder does not record (lowest priority)"},
};

static void usage(FILE *out) {
    fprintf(out, "usage: recguard <verb> [options]\n\nverbs:\n");
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        fprintf(out, "  %-8s %s\n", verbs[i].name, verbs[i].help);
    fprintf(out, "\n`recguard <verb> --help` describes a verb.\n");
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
        if (strcmp(argv[1], verbs[i].name) == 0) return verbs[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "recguard: unknown verb '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
