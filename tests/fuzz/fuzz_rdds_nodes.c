/* Fuzz target: the ros_discovery_info decoder (rdds_nodes.c), fed whole samples as they arrive
 * from the network (encapsulation header included).
 *
 * Oracles: a parse either fails leaving nothing allocated, or yields a Gid size of 16 or 24,
 * node names that start with '/' and hold no empty segment at the end, writer entries that
 * point at existing nodes, counts that the input's bytes can hold; parsing is deterministic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dds/rdds_nodes.h"

/* Checks stay active in release builds (the replay test runs there too). */
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rdds_nodes_msg m, m2;
    int rc = rdds_nodes_parse(data, size, &m);
    if (rc < 0) {
        CHECK(m.fqn == NULL && m.writers == NULL && m.nnodes == 0);
        return 0;
    }
    CHECK(m.gid_size == 16 || m.gid_size == 24);
    CHECK(size >= 4 + m.gid_size + 4);
    CHECK(m.nwriters <= size / m.gid_size);
    CHECK(m.nnodes <= size / 10); /* two strings of >= 5 bytes each */
    for (size_t i = 0; i < m.nnodes; i++) {
        size_t l = strlen(m.fqn[i]);
        CHECK(l >= 2 && m.fqn[i][0] == '/' && m.fqn[i][l - 1] != '\0');
    }
    for (size_t i = 0; i < m.nwriters; i++) CHECK(m.writers[i].node < m.nnodes);
    CHECK(rdds_nodes_parse(data, size, &m2) == 0);
    CHECK(m2.gid_size == m.gid_size && m2.nnodes == m.nnodes && m2.nwriters == m.nwriters);
    for (size_t i = 0; i < m.nnodes; i++) CHECK(strcmp(m.fqn[i], m2.fqn[i]) == 0);
    CHECK(m.nwriters == 0 || memcmp(m.writers, m2.writers, m.nwriters * sizeof *m.writers) == 0);
    rdds_nodes_free(&m2);
    rdds_nodes_free(&m);
    return 0;
}
