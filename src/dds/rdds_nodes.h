/* rdds_nodes — parse rmw's ros_discovery_info samples (which ROS node owns which writer).
 *
 * Owns: a pure, bounds-checked decoder of rmw_dds_common/msg/ParticipantEntitiesInfo in CDR
 * (4-byte encapsulation header, little or big endian, XCDR1 or plain XCDR2: the type has no
 * member wider than 4 bytes and is final, so both encode it identically):
 *   Gid gid; NodeEntitiesInfo[] node_entities_info_seq;
 *   NodeEntitiesInfo = string node_namespace, string node_name, Gid[] reader_gid_seq,
 *                      Gid[] writer_gid_seq
 * Gid is `char[24] data` up to Iron and 16 bytes from Jazzy on (a fixed array: no length on the
 * wire). The size is not on the wire, so the parser tries both and keeps the one under which the
 * whole payload parses exactly (at most 3 trailing padding bytes); a payload both sizes explain
 * is rejected as ambiguous rather than guessed. Only a GID's first 16 bytes (the DDS GUID) are
 * kept. Input is untrusted network data: every length is checked before use.
 */
#ifndef RDDS_NODES_H
#define RDDS_NODES_H

#include <stddef.h>
#include <stdint.h>

typedef struct rdds_nodes_writer {
    uint8_t guid[16];  /* writer GUID (first 16 bytes of its GID) */
    size_t node;       /* index into rdds_nodes_msg.fqn */
} rdds_nodes_writer;

typedef struct rdds_nodes_msg {
    uint8_t participant[16];    /* publishing participant's GUID */
    unsigned gid_size;          /* 16 or 24: the layout that parsed */
    char **fqn;                 /* fully qualified node names, "/ns/name" */
    size_t nnodes;              /* entries in fqn */
    rdds_nodes_writer *writers; /* every writer GID of every node */
    size_t nwriters;            /* entries in writers */
} rdds_nodes_msg;

/* Parse one serialized sample (encapsulation header included). 0, or -EPROTO when it is not a
 * well-formed ParticipantEntitiesInfo under exactly one Gid size, -ENOMEM. On success free with
 * rdds_nodes_free; on failure *out holds nothing to free. */
int rdds_nodes_parse(const void *data, size_t len, rdds_nodes_msg *out);
void rdds_nodes_free(rdds_nodes_msg *m);

#endif
