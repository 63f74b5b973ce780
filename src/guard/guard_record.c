/* guard_record — the `record:` config section (see guard_record.h). */
#include "guard/guard_record.h"

#include "common/rg_yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void values_free(char **v) {
    if (!v) return;
    for (char **p = v; *p; p++) free(*p);
    free(v);
}

static guard_record_entry *slot(guard_record *r, const rg_recopts_def *d) {
    for (size_t i = 0; i < r->n; i++)
        if (r->e[i].def == d) return &r->e[i];
    if (r->n == GUARD_RECORD_MAX_KEYS) return NULL;
    r->e[r->n] = (guard_record_entry){.def = d};
    return &r->e[r->n++];
}

static int replace(guard_record *r, const rg_recopts_def *d, char **values, int off) {
    guard_record_entry *e = slot(r, d);
    if (!e) {
        values_free(values);
        return -ENOMEM;
    }
    values_free(e->values);
    e->values = values;
    e->off = off;
    return 0;
}

/* A list node (or one scalar) as a NULL-terminated vector; NULL with *bad set on a non-string. */
static char **list_of(struct fy_node *v, int *bad) {
    *bad = 0;
    if (fy_node_get_type(v) == FYNT_SCALAR) {
        char **out = calloc(2, sizeof *out);
        if (out && !(out[0] = rg_yaml_scalar_dup(v))) *bad = 1;
        if (*bad) values_free(out);
        return *bad ? NULL : out;
    }
    if (fy_node_get_type(v) != FYNT_SEQUENCE) {
        *bad = 1;
        return NULL;
    }
    int n = fy_node_sequence_item_count(v);
    char **out = calloc((size_t)(n > 0 ? n : 0) + 1, sizeof *out);
    if (!out) return NULL;
    void *it = NULL;
    int i = 0;
    for (struct fy_node *e; i < n && (e = fy_node_sequence_iterate(v, &it)); i++)
        if (!(out[i] = rg_yaml_scalar_dup(e)) || !out[i][0]) {
            *bad = 1;
            values_free(out);
            return NULL;
        }
    if (n <= 0) *bad = 1;
    if (*bad) values_free(out);
    return *bad ? NULL : out;
}

int guard_record_set(guard_record *r, const char *key, struct fy_node *v, char *why, size_t whylen) {
    const rg_recopts_def *d = rg_recopts_config_key(key);
    if (!d) {
        snprintf(why, whylen, "unknown key: record: takes the long options of `recguard record` "
                              "with '_' for '-' (docs/CONFIG.md)");
        return -EINVAL;
    }
    if (!v || fy_node_is_alias(v)) {
        snprintf(why, whylen, "a value is required");
        return -EINVAL;
    }
    if (d->kind == RG_RECOPTS_FLAG) {
        char *s = rg_yaml_scalar_dup(v);
        int on = s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"));
        int off = s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"));
        free(s);
        if (!on && !off) {
            snprintf(why, whylen, "expected true or false");
            return -EINVAL;
        }
        return replace(r, d, NULL, off);
    }
    if (d->kind == RG_RECOPTS_LIST) {
        int bad;
        char **l = list_of(v, &bad);
        if (bad) {
            snprintf(why, whylen, "expected a list of strings, e.g. [/a, /b]");
            return -EINVAL;
        }
        return l ? replace(r, d, l, 0) : -ENOMEM;
    }
    char *s = rg_yaml_scalar_dup(v);
    if (!s || !s[0]) {
        free(s);
        snprintf(why, whylen, "expected a single value");
        return -EINVAL;
    }
    char **one = calloc(2, sizeof *one);
    if (!one) {
        free(s);
        return -ENOMEM;
    }
    one[0] = s;
    return replace(r, d, one, 0);
}

int guard_record_set_text(guard_record *r, const char *key, const char *text, char *why, size_t whylen) {
    const rg_recopts_def *d = rg_recopts_config_key(key);
    if (d && d->kind == RG_RECOPTS_VALUE) {
        /* The raw text: a regex or path with ": " or '#' must not be read as YAML. */
        char **one = calloc(2, sizeof *one);
        if (!one || !(one[0] = strdup(text))) {
            free(one);
            return -ENOMEM;
        }
        if (!text[0]) {
            values_free(one);
            snprintf(why, whylen, "expected a single value");
            return -EINVAL;
        }
        return replace(r, d, one, 0);
    }
    rg_yaml_doc y;
    int rc = rg_yaml_load(text, strlen(text), &y);
    if (rc == 0 && (!y.doc || !fy_document_root(y.doc))) rc = -EINVAL;
    if (rc == -EINVAL) snprintf(why, whylen, "'%s' is not a YAML value", text);
    if (rc == 0) rc = guard_record_set(r, key, fy_document_root(y.doc), why, whylen);
    rg_yaml_doc_free(&y);
    return rc;
}

int guard_record_argv(const guard_record *r, char ***out, size_t *n) {
    size_t cap = 1;
    for (size_t i = 0; i < r->n; i++) {
        cap++;
        for (char **v = r->e[i].values; v && *v; v++) cap++;
    }
    char **a = calloc(cap, sizeof *a);
    if (!a) return -ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
        const guard_record_entry *e = &r->e[i];
        if (e->off) continue;
        size_t len = strlen(e->def->name) + 3;
        if (!(a[k] = malloc(len))) goto oom;
        snprintf(a[k++], len, "--%s", e->def->name);
        for (char **v = e->values; v && *v; v++)
            if (!(a[k++] = strdup(*v))) goto oom;
    }
    *out = a;
    *n = k;
    return 0;
oom:
    values_free(a);
    return -ENOMEM;
}

static int flag_on(const guard_record *r, const char *name) {
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->e[i].def->name, name) == 0) return !r->e[i].off;
    return 0;
}

int guard_record_snapshot(const guard_record *r) { return flag_on(r, "snapshot-mode"); }

int guard_record_start_paused(const guard_record *r) { return flag_on(r, "start-paused"); }

int guard_record_argv_paused(char ***argv, int paused) {
    static const char flag[] = "--start-paused";
    char **v = *argv;
    size_t n = 0, k = 0;
    for (; v[n]; n++) {
        if (strcmp(v[n], flag) == 0) free(v[n]);
        else v[k++] = v[n];
    }
    v[k] = NULL;
    if (!paused) return 0;
    char *dup = strdup(flag);
    char **grown = dup ? realloc(v, (k + 2) * sizeof *v) : NULL;
    if (!grown) {
        free(dup);
        return -ENOMEM;
    }
    grown[k] = dup;
    grown[k + 1] = NULL;
    *argv = grown;
    return 0;
}

int guard_record_selects(const guard_record *r) {
    static const char *const sel[] = {"all", "all-topics", "all-services", "topics", "services",
                                      "topic-types", "regex", NULL};
    for (size_t i = 0; i < r->n; i++)
        for (int j = 0; sel[j]; j++)
            if (!r->e[i].off && strcmp(r->e[i].def->name, sel[j]) == 0) return 1;
    return 0;
}

int guard_record_check(const guard_record *r, char *err, size_t errlen) {
    char **frag;
    size_t n;
    if (guard_record_argv(r, &frag, &n) < 0) return -ENOMEM;
    /* As the daemon will run it: the recorder's own parser says what is wrong. */
    char **argv = calloc(n + 5, sizeof *argv);
    if (!argv) {
        values_free(frag);
        return -ENOMEM;
    }
    size_t k = 0;
    argv[k++] = "record";
    if (!guard_record_selects(r)) argv[k++] = "-a";
    for (size_t i = 0; i < n; i++) argv[k++] = frag[i];
    rg_recopts o;
    char why[512];
    int rc = rg_recopts_parse((int)k, argv, &o, why, sizeof why);
    rg_recopts_free(&o);
    if (rc == -EINVAL) snprintf(err, errlen, "record: %s", why);
    free(argv);
    values_free(frag);
    return rc;
}

json_t *guard_record_json(const guard_record *r) {
    json_t *o = json_object();
    for (size_t i = 0; o && i < r->n; i++) {
        const guard_record_entry *e = &r->e[i];
        char key[64];
        snprintf(key, sizeof key, "%s", e->def->name);
        for (char *p = key; *p; p++)
            if (*p == '-') *p = '_';
        json_t *v;
        if (e->def->kind == RG_RECOPTS_FLAG) {
            v = json_boolean(!e->off);
        } else if (e->def->kind == RG_RECOPTS_LIST) {
            v = json_array();
            for (char **s = e->values; v && s && *s; s++) json_array_append_new(v, json_string(*s));
        } else {
            v = json_string(e->values[0]);
        }
        if (!v || json_object_set_new(o, key, v) < 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

void guard_record_free(guard_record *r) {
    for (size_t i = 0; i < r->n; i++) values_free(r->e[i].values);
    r->n = 0;
}
