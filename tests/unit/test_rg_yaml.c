/* Unit tests: rg_yaml, documents loaded with a silent diag (empty stream = no document, syntax
 * error / second document / bad UTF-8 refused) and scalars copied out by length (quoted keys,
 * too long for the buffer, not a scalar). */
#include "common/rg_yaml.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int load(const char *text, rg_yaml_doc *y) { return rg_yaml_load(text, strlen(text), y); }

static void test_load(void **st) {
    (void)st;
    rg_yaml_doc y;
    assert_int_equal(load("", &y), 0);
    assert_null(y.doc);
    rg_yaml_doc_free(&y);
    assert_int_equal(load("# only a comment\n", &y), 0);
    rg_yaml_doc_free(&y);
    assert_int_equal(load("a: 1\n---\nb: 2\n", &y), -EINVAL);
    rg_yaml_doc_free(&y);
    assert_int_equal(load("a: [\n", &y), -EINVAL);
    rg_yaml_doc_free(&y);
    assert_int_equal(load("'unterminated: x\n", &y), -EINVAL);
    rg_yaml_doc_free(&y);
    assert_int_equal(rg_yaml_load("a: \xff\n", 6, &y), -EINVAL);
    rg_yaml_doc_free(&y);
    assert_int_equal(rg_yaml_load("a: b\0c", 6, &y), -EINVAL);
    rg_yaml_doc_free(&y);
}

static void test_scalars(void **st) {
    (void)st;
    rg_yaml_doc y;
    assert_int_equal(load("'a b': \"x\\ty\"\nlist: [1]\nlong: abcdefgh\n", &y), 0);
    struct fy_node *root = fy_document_root(y.doc);
    void *it = NULL;
    struct fy_node_pair *p = fy_node_mapping_iterate(root, &it);
    char buf[8];
    assert_string_equal(rg_yaml_scalar(fy_node_pair_key(p), buf, sizeof buf), "a b");
    assert_string_equal(rg_yaml_scalar(fy_node_pair_value(p), buf, sizeof buf), "x\ty");
    p = fy_node_mapping_iterate(root, &it);
    assert_null(rg_yaml_scalar(fy_node_pair_value(p), buf, sizeof buf)); /* a list */
    assert_null(rg_yaml_scalar_dup(fy_node_pair_value(p)));
    p = fy_node_mapping_iterate(root, &it);
    assert_null(rg_yaml_scalar(fy_node_pair_value(p), buf, sizeof buf)); /* 8 chars + NUL > 8 */
    char *d = rg_yaml_scalar_dup(fy_node_pair_value(p));
    assert_string_equal(d, "abcdefgh");
    free(d);
    assert_null(rg_yaml_scalar(NULL, buf, sizeof buf));
    rg_yaml_doc_free(&y);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_scalars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
