/* Fuzz target: the control socket's request parser. Any byte string must parse or be refused
 * with an error sentence — no crash, no leak, no read past `size` — and a parsed request must
 * name a known command. */
#include "guard/guard_ctl.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    guard_ctl_req req;
    char err[256];
    err[0] = '\0';
    int rc = guard_ctl_parse((const char *)data, size, &req, err, sizeof err);
    if (rc == 0) {
        assert(strcmp(guard_ctl_cmd_name(req.cmd), "?") != 0);
        assert(strlen(req.id) < sizeof req.id);
    } else {
        assert(rc == -22 && err[0] != '\0');
    }
    return 0;
}
