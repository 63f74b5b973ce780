/* cli_bag — placeholder until its owner lands the real verbs. */
#include "cli/cli.h"

#include <stdio.h>

int cli_info_main(int argc, char **argv) {
    (void)argc;
    fprintf(stderr, "recguard %s: not implemented yet\n", argv[0]);
    return CLI_EXIT_FAIL;
}

int cli_doctor_main(int argc, char **argv) {
    (void)argc;
    fprintf(stderr, "recguard %s: not implemented yet\n", argv[0]);
    return CLI_EXIT_FAIL;
}

int cli_recover_main(int argc, char **argv) {
    (void)argc;
    fprintf(stderr, "recguard %s: not implemented yet\n", argv[0]);
    return CLI_EXIT_FAIL;
}

