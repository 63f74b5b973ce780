/* rg_yaml — safe scalar access (see rg_yaml.h). */
#include "common/rg_yaml.h"

#include "common/rg_text.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *text_of(struct fy_node *n, size_t *len) {
    if (!n || fy_node_is_alias(n) || fy_node_get_type(n) != FYNT_SCALAR) return NULL;
    const char *s = fy_node_get_scalar(n, len);
    if (!s || memchr(s, '\0', *len)) return NULL;
    return s;
}

const char *rg_yaml_scalar(struct fy_node *n, char *buf, size_t len) {
    size_t l;
    const char *s = text_of(n, &l);
    if (!s || l >= len) return NULL;
    memcpy(buf, s, l);
    buf[l] = '\0';
    return buf;
}

char *rg_yaml_scalar_dup(struct fy_node *n) {
    size_t l;
    const char *s = text_of(n, &l);
    return s ? strndup(s, l) : NULL;
}

static void diag_sink(struct fy_diag *diag, void *user, const char *buf, size_t len) {
    (void)diag, (void)user, (void)buf, (void)len;
}

int rg_yaml_load(const char *text, size_t len, rg_yaml_doc *y) {
    memset(y, 0, sizeof *y);
    if (rg_text_utf8_bad_at((const unsigned char *)text, len) != len || memchr(text, '\0', len))
        return -EINVAL;
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = diag_sink;
    dcfg.colorize = false;
    if (!(y->diag = fy_diag_create(&dcfg))) return -ENOMEM;
    fy_diag_set_collect_errors(y->diag, true);
    struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET, .diag = y->diag};
    if (!(y->fyp = fy_parser_create(&pcfg)) || fy_parser_set_string(y->fyp, text, len) < 0) return -ENOMEM;
    y->doc = fy_parse_load_document(y->fyp);
    /* A second document would be ignored silently by a one-document reader. */
    struct fy_document *more = y->doc ? fy_parse_load_document(y->fyp) : NULL;
    if (more) {
        fy_parse_document_destroy(y->fyp, more);
        return -EINVAL;
    }
    /* A stream without a document (empty, only comments) raises the error flag with no
     * message: that is an empty file, not a syntax error. */
    void *it = NULL;
    return fy_diag_errors_iterate(y->diag, &it) ? -EINVAL : 0;
}

int rg_yaml_load_map(const char *name, const char *text, size_t len, const char *expected,
                     rg_yaml_doc *y, struct fy_node **root, char *err, size_t errlen) {
    *root = NULL;
    int rc = rg_yaml_load(text, len, y);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", name, rc == -ENOMEM ? "out of memory" : "not valid YAML (one document of UTF-8 text)");
        return rc;
    }
    *root = y->doc ? fy_document_root(y->doc) : NULL;
    if (*root && !fy_node_is_mapping(*root)) {
        snprintf(err, errlen, "%s: expected %s", name, expected);
        *root = NULL;
        return -EINVAL;
    }
    return 0;
}

void rg_yaml_doc_free(rg_yaml_doc *y) {
    if (y->doc) fy_parse_document_destroy(y->fyp, y->doc);
    if (y->fyp) fy_parser_destroy(y->fyp);
    if (y->diag) fy_diag_destroy(y->diag);
    memset(y, 0, sizeof *y);
}
