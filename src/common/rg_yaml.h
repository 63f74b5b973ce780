/* rg_yaml — loading libfyaml documents and reading their scalars, one way for every YAML
 * reader of outside input (QoS overrides, storage config, the record: section).
 *
 * Documents load with a diagnostics object of our own that prints and keeps nothing (the
 * default one writes to stderr), after the UTF-8 check libfyaml needs (rg_text). Scalars are
 * copied out by length, never through fy_node_get_scalar0, whose NUL-terminated copies are
 * allocated on the side. Known and not avoidable from here: libfyaml 0.7.12 leaks a buffer
 * on a single-quoted scalar with long runs of '' escapes (found by fuzz_record_yaml; the daemon
 * config's parser has it too).
 */
#ifndef RG_YAML_H
#define RG_YAML_H

#include <stddef.h>

#include <libfyaml.h>

#define RG_YAML_SCALAR_MAX 1024 /* longest scalar the fixed-buffer readers take */

typedef struct rg_yaml_doc {
    struct fy_diag *diag;    /* our silent diagnostics */
    struct fy_parser *fyp;   /* owner of doc */
    struct fy_document *doc; /* NULL for a stream without a document (empty, comments only) */
} rg_yaml_doc;

/* Load one YAML document from text (checked as UTF-8 without NUL first: libfyaml loops on some
 * malformed UTF-8). 0; -EINVAL on a syntax error, bad text or a second document; -ENOMEM.
 * Release with rg_yaml_doc_free whatever the result. */
int rg_yaml_load(const char *text, size_t len, rg_yaml_doc *y);
void rg_yaml_doc_free(rg_yaml_doc *y);
/* rg_yaml_load for a file whose top level must be a map: *root is that map, or NULL for an
 * empty document. 0, or -EINVAL / -ENOMEM with "name: why" in err (`expected` says what the
 * top level should be, e.g. "a map of MCAP writer options"). Release y whatever the result. */
int rg_yaml_load_map(const char *name, const char *text, size_t len, const char *expected,
                     rg_yaml_doc *y, struct fy_node **root, char *err, size_t errlen);

/* The scalar's text in buf (NUL-terminated), or NULL when n is not a plain usable scalar
 * (NULL, alias, sequence, mapping, embedded NUL) or does not fit in len bytes. */
const char *rg_yaml_scalar(struct fy_node *n, char *buf, size_t len);
/* The same as a malloc'd copy (any length), NULL when not a usable scalar or on ENOMEM. */
char *rg_yaml_scalar_dup(struct fy_node *n);

#endif
