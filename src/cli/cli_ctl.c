/* cli_ctl — placeholder until its owner lands the real verbs. */
#include "cli/cli.h"

#include <stdio.h>

int cli_daemon_main(int argc, char **argv) {
    (void)argc;
    fprintf(stderr, "recguard %s: not implemented yet\n", argv[0]);
    return CLI_EXIT_FAIL;
}

int cli_start_main(int argc, char **argv) {
    (void)argc;
    fprintf(stderr, "recguard %s: not implemented yet\n", argv[0]);
    return CLI_EXIT_FAIL;
}

int cli_stop_main(int argc, char **argv) {
    (void)argc;
    fprintf(stderr, "recguard %s: not implemented yet\n", argv[0]);
    return CLI_EXIT_FAIL;
}

int cli_split_main(int argc, char **argv) {
    (void)argc;
    fprintf(stderr, "recguard %s: not implemented yet\n", argv[0]);
    return CLI_EXIT_FAIL;
}

int cli_status_main(int argc, char **argv) {
    (void)argc;
    fprintf(stderr, "recguard %s: not implemented yet\n", argv[0]);
    return CLI_EXIT_FAIL;
}

int cli_watch_main(int argc, char **argv) {
    (void)argc;
    fprintf(stderr, "recguard %s: not implemented yet\n", argv[0]);
    return CLI_EXIT_FAIL;
}

