/* rdds_sertype — a Cyclone DDS 0.10.x sertype that keeps samples as raw serialized CDR.
 *
 * Owns: the ddsi_sertype / ddsi_serdata_ops callback set for reading any type by name without
 * its definition. A sample is one allocation: the serdata header followed by the CDR bytes
 * (4-byte encapsulation header included), copied out of the received fragment chain. Keyed
 * topics identify instances by the 16-byte key hash the writer sends (requested through
 * DDSI_SERTYPE_FLAG_REQUEST_KEYHASH); keyless topics have a single instance.
 *
 * Internal Cyclone API (ddsi_sertype.h, ddsi_serdata.h, q_radmin.h): tied to 0.10.x and to
 * -DDDS_NDEBUG, which pkg-config CycloneDDS supplies and which changes struct nn_rdata.
 * Reading only: from_sample / to_sample are not supported (writes fail cleanly).
 */
#ifndef RDDS_SERTYPE_H
#define RDDS_SERTYPE_H

#include <stddef.h>
#include <stdint.h>

struct ddsi_sertype;
struct ddsi_serdata;

/* A new sertype named type_name (reference count 1, as ddsi_sertype_init_flags leaves it).
 * Hand it to dds_create_topic_sertype; on failure release it with ddsi_sertype_unref.
 * NULL on ENOMEM. */
struct ddsi_sertype *rdds_sertype_new(const char *type_name, int keyed);
/* The CDR bytes of a sample taken from a reader of an rdds sertype, encapsulation header
 * included; NULL when `d` is not an rdds sample with data (an invalid or untyped sample). */
const void *rdds_serdata_bytes(const struct ddsi_serdata *d, size_t *len);
/* 1 and the sending writer's GUID (network byte order) and RTPS sequence number of a sample
 * that came over the network; 0 when unknown (local delivery, not an rdds sample). */
int rdds_serdata_origin(const struct ddsi_serdata *d, unsigned char guid[16], int64_t *seq);

#endif
