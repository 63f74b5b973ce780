/* helper_cdr_pub — publishes samples given as serialized CDR files, under any type name, so a
 * test can put a message of any ROS 2 type on the wire without that type's generated code.
 *
 * usage: helper_cdr_pub MANIFEST [--match-timeout SEC]
 * MANIFEST has one line per topic: "DDS_TOPIC DDS_TYPE FILE", FILE holding one sample with its
 * 4-byte encapsulation header (as rmw sends it). Domain from ROS_DOMAIN_ID. Every topic gets a
 * reliable, volatile, keyless writer; once each writer has matched a reader (default up to 30 s,
 * else "nomatch" and exit 3) each sample is written once, then acknowledgements are awaited,
 * "sent N" is printed and the helper exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dds/dds.h>
#include <dds/ddsi/ddsi_serdata.h>
#include <dds/ddsi/ddsi_sertype.h>

#include "common/rg_fs.h"
#include "common/rg_time.h"
#include "dds/rdds_sertype.h"

#define MAX_TOPICS 64          /* manifest lines accepted */
#define MAX_SAMPLE (1u << 20) /* largest sample file */

typedef struct pub_topic {
    char name[256];              /* DDS topic name */
    char type[256];              /* DDS type name */
    char *cdr;                   /* the sample, encapsulation header included */
    size_t len;                  /* bytes in cdr */
    struct ddsi_sertype *st;     /* raw sertype (owned by the topic once created) */
    dds_entity_t wr;             /* writer */
} pub_topic;

static int wait_match(dds_entity_t wr, int64_t deadline) {
    for (;;) {
        dds_publication_matched_status_t st;
        if (dds_get_publication_matched_status(wr, &st) == 0 && st.current_count >= 1) return 0;
        if (rg_time_mono_ns() > deadline) return -1;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Parse the manifest and load the samples; the number of topics, or -1 with a message. */
static int load_manifest(const char *path, pub_topic *t) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    int n = 0;
    char line[2048], file[1024];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '\n' || line[0] == '#') continue;
        if (n == MAX_TOPICS || sscanf(line, "%255s %255s %1023s", t[n].name, t[n].type, file) != 3) {
            fprintf(stderr, "helper_cdr_pub: %s: bad line (or more than %d): %s", path, MAX_TOPICS, line);
            n = -1;
            break;
        }
        if (rg_fs_read_file(file, MAX_SAMPLE, &t[n].cdr, &t[n].len) < 0 || t[n].len < 4) {
            fprintf(stderr, "helper_cdr_pub: %s: unreadable or shorter than a CDR header\n", file);
            n = -1;
            break;
        }
        n++;
    }
    fclose(f);
    return n;
}

int main(int argc, char **argv) {
    static pub_topic t[MAX_TOPICS];
    double match_timeout = 30;
    if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--match-timeout") == 0)) {
        fprintf(stderr, "usage: helper_cdr_pub MANIFEST [--match-timeout SEC]\n");
        return 2;
    }
    if (argc == 4) match_timeout = atof(argv[3]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    int n = load_manifest(argv[1], t), rc = 1;
    if (n <= 0) goto out;
    const char *dom = getenv("ROS_DOMAIN_ID");
    dds_entity_t pp = dds_create_participant(dom ? (dds_domainid_t)atoi(dom) : 0, NULL, NULL);
    if (pp < 0) {
        fprintf(stderr, "helper_cdr_pub: participant: %s\n", dds_strretcode(pp));
        goto out;
    }
    dds_qos_t *q = dds_create_qos();
    dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_MSECS(100));
    dds_qset_history(q, DDS_HISTORY_KEEP_LAST, 10);
    for (int i = 0; i < n; i++) {
        t[i].st = rdds_sertype_new(t[i].type, 0);
        dds_entity_t tp = t[i].st ? dds_create_topic_sertype(pp, t[i].name, &t[i].st, NULL, NULL, NULL) : -1;
        if (tp < 0 && t[i].st) ddsi_sertype_unref(t[i].st);
        t[i].wr = tp < 0 ? -1 : dds_create_writer(pp, tp, q, NULL);
        if (t[i].wr < 0) {
            fprintf(stderr, "helper_cdr_pub: writer(%s, %s) failed\n", t[i].name, t[i].type);
            dds_delete_qos(q);
            goto fail;
        }
    }
    dds_delete_qos(q);
    int64_t deadline = rg_time_mono_ns() + (int64_t)(match_timeout * 1e9);
    for (int i = 0; i < n; i++)
        if (wait_match(t[i].wr, deadline) < 0) {
            printf("nomatch %s\n", t[i].name);
            rc = 3;
            goto fail;
        }
    for (int i = 0; i < n; i++) {
        ddsrt_iovec_t iov = {.iov_base = t[i].cdr, .iov_len = (ddsrt_iov_len_t)t[i].len};
        struct ddsi_serdata *sd = ddsi_serdata_from_ser_iov(t[i].st, SDK_DATA, 1, &iov, t[i].len);
        if (sd == NULL || dds_writecdr(t[i].wr, sd) < 0) {
            fprintf(stderr, "helper_cdr_pub: write(%s) failed\n", t[i].name);
            goto fail;
        }
    }
    for (int i = 0; i < n; i++)
        if (dds_wait_for_acks(t[i].wr, DDS_SECS(20)) < 0) {
            fprintf(stderr, "helper_cdr_pub: %s: not acknowledged within 20 s\n", t[i].name);
            goto fail;
        }
    printf("sent %d\n", n);
    rc = 0;
fail:
    dds_delete(pp);
out:
    for (int i = 0; i < MAX_TOPICS; i++) free(t[i].cdr);
    return rc;
}
