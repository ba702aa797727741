/* A C application built against the API 0.1 header (rnpu-0.1.h: rnpu.h as
 * published before API 1.0, RNPU_MAX_RANK 8, rnpu_tensor_info.dims[8]),
 * run against today's librnpu.so: its smaller structs must keep working,
 * with only the bytes they cover written, and a tensor of a rank its struct
 * cannot hold must be an error, never a truncated shape.
 *   rnpu-abi-old-caller MODELDIR   (add_relu.onnx, rank12.onnx: rnpu-abi-models) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu-0.1.h"
#include "abi_check.h"

/* The struct followed by bytes the library must not touch. */
#define GUARDED(type) \
	struct {      \
		type s;   \
		unsigned char after[64]; \
	}

static int untouched(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0xab)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	GUARDED(rnpu_tensor_info) t;
	GUARDED(rnpu_op_profile) p;
	GUARDED(rnpu_partition_decision) d;
	GUARDED(rnpu_error_info) e;
	float x[6] = { -20, -1, 0, 1, 2, 3 }, y[6];
	int64_t dims[2] = { 2, 3 };
	int64_t dims12[12] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3 };
	const void *data = NULL;
	size_t size = 0, idx = 0, i;
	rnpu_session *s, *r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MODELDIR\n", argv[0]);
		return 2;
	}
	/* This is the 0.1 layout. */
	CHECK(RNPU_MAX_RANK == 8);
	CHECK(sizeof(rnpu_tensor_info) == offsetof(rnpu_tensor_info, dims) + 8 * sizeof(int64_t));
	printf("old caller (API %d.%d header): librnpu %s, sizeof(rnpu_tensor_info) %zu\n",
	       RNPU_API_VERSION_MAJOR, RNPU_API_VERSION_MINOR, rnpu_version(),
	       sizeof(rnpu_tensor_info));

	s = load(argv[1], "add_relu.onnx");
	if (!s)
		return 1;
	memset(&t, 0xab, sizeof(t));
	t.s.struct_size = sizeof(t.s);
	CHECK(rnpu_session_input_info(s, 0, &t.s) == RNPU_OK);
	CHECK(t.s.struct_size == sizeof(t.s));
	CHECK(t.s.name && strcmp(t.s.name, "x") == 0);
	CHECK(t.s.dtype == RNPU_DTYPE_FLOAT32);
	CHECK(t.s.rank == 2 && t.s.dims[0] == 2 && t.s.dims[1] == 3);
	CHECK(untouched(t.after, sizeof(t.after))); /* the new dims[8..15] are not ours */

	CHECK(rnpu_session_set_input(s, 0, x, sizeof(x), dims, 2) == RNPU_OK);
	CHECK(rnpu_session_set_output(s, 0, y, sizeof(y)) == RNPU_OK);
	CHECK(rnpu_session_run(s) == RNPU_OK);
	CHECK(y[0] == 0.f && y[1] == 9.f && y[5] == 13.f);
	memset(&t, 0xab, sizeof(t));
	t.s.struct_size = sizeof(t.s);
	CHECK(rnpu_session_get_output(s, 0, &t.s, &data, &size) == RNPU_OK);
	CHECK(t.s.rank == 2 && t.s.dims[1] == 3 && size == sizeof(y));
	CHECK(t.s.name && strcmp(t.s.name, "y") == 0);
	CHECK(untouched(t.after, sizeof(t.after)));

	memset(&d, 0xab, sizeof(d));
	d.s.struct_size = sizeof(d.s);
	CHECK(rnpu_session_partition_count(s) >= 1);
	CHECK(rnpu_session_partition(s, 0, &d.s) == RNPU_OK);
	CHECK(d.s.node && d.s.backend && d.s.reason);
	CHECK(untouched(d.after, sizeof(d.after)));
	memset(&p, 0xab, sizeof(p));
	p.s.struct_size = sizeof(p.s);
	CHECK(rnpu_session_profile_count(s) == 0); /* profiling is off */
	CHECK(rnpu_session_profile(s, 0, &p.s) == RNPU_ERR_INVALID_ARGUMENT);

	/* The error details through the old struct. */
	CHECK(rnpu_session_find_input(s, "nope", &idx) == RNPU_ERR_INVALID_ARGUMENT);
	memset(&e, 0xab, sizeof(e));
	e.s.struct_size = sizeof(e.s);
	CHECK(rnpu_last_error(&e.s) == RNPU_ERR_INVALID_ARGUMENT);
	CHECK(e.s.status == RNPU_ERR_INVALID_ARGUMENT);
	CHECK(e.s.message && strstr(e.s.message, "nope"));
	CHECK(e.s.node && e.s.op && e.s.reason && e.s.backend_hint);
	CHECK(untouched(e.after, sizeof(e.after)));
	rnpu_session_destroy(s);

	/* Rank 12 does not fit dims[8]: an error naming the rank, nothing written. */
	r = load(argv[1], "rank12.onnx");
	if (!r)
		return 1;
	memset(&t, 0xab, sizeof(t));
	t.s.struct_size = sizeof(t.s);
	CHECK(rnpu_session_input_info(r, 0, &t.s) == RNPU_ERR_INVALID_ARGUMENT);
	CHECK(strstr(last_message(), "rank 12") != NULL);
	CHECK(untouched((const unsigned char *)&t.s + sizeof(size_t),
			sizeof(t) - sizeof(size_t)));
	/* The data calls take any rank up to the library's RNPU_MAX_RANK. */
	CHECK(rnpu_session_set_input(r, 0, x, sizeof(x), dims12, 12) == RNPU_OK);
	CHECK(rnpu_session_run(r) == RNPU_OK);
	CHECK(rnpu_session_get_output(r, 0, &t.s, &data, &size) == RNPU_ERR_INVALID_ARGUMENT);
	CHECK(rnpu_session_get_output(r, 0, NULL, &data, &size) == RNPU_OK);
	CHECK(size == sizeof(x) && data && ((const float *)data)[5] == 3.f);
	for (i = 0; i < 5; i++)
		CHECK(((const float *)data)[i] == (x[i] > 0 ? x[i] : 0.f));
	rnpu_session_destroy(r);

	if (abi_failures) {
		fprintf(stderr, "old caller: %d checks failed\n", abi_failures);
		return 1;
	}
	printf("old caller: all checks passed\n");
	return 0;
}
