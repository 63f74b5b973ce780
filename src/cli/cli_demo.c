/* cli_demo — placeholder until its owner lands the real verbs. */
#include "cli/cli.h"

#include <stdio.h>

int cli_demo_main(int argc, char **argv) {
    (void)argc;
    fprintf(stderr, "recguard %s: not implemented yet\n", argv[0]);
    return CLI_EXIT_FAIL;
}

