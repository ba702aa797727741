/* A "newer" C application: built against today's rnpu.h, but with structs a
 * later API version could have (fields appended), run against today's
 * librnpu.so.  Output structs larger than the library's are filled up to
 * the library's size and the rest left alone; an input struct whose unknown
 * tail is zero works, and one that sets a field there is
 * RNPU_ERR_UNSUPPORTED.  Also: ranks up to RNPU_MAX_RANK (16), the API
 * version, and the per-session last error of an asynchronous run.
 *   rnpu-abi-new-caller MODELDIR   (add_relu.onnx, rank12.onnx: rnpu-abi-models) */
#include <rnpu/rnpu.h>
#include <stdint.h>
#include <string.h>

#include "abi_check.h"

/* What a later header might declare: today's struct plus appended fields. */
typedef struct {
	rnpu_input_desc base;
	uint64_t future_flags;
	const void *future_pointer;
} newer_input_desc;

typedef struct {
	rnpu_tensor_info base;
	int64_t future_field[4];
} newer_tensor_info;

typedef struct {
	rnpu_error_info base;
	const char *future_string;
} newer_error_info;

static int callback_saw_details;

static void on_done(rnpu_session *s, rnpu_status st, void *user)
{
	rnpu_error_info e = { .struct_size = sizeof(e) };

	(void)user;
	/* In the callback, the session's last error is the run's. */
	if (st != RNPU_OK && rnpu_session_last_error(s, &e) == st && strstr(e.message, "is not set"))
		callback_saw_details = 1;
}

int main(int argc, char **argv)
{
	float x[6] = { -20, -1, 0, 1, 2, 3 }, y[6] = { 0 };
	int64_t dims[2] = { 2, 3 };
	int64_t dims12[12] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3 };
	int64_t dims17[17] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3 };
	uint32_t major = 99, minor = 99;
	newer_input_desc in;
	newer_tensor_info t;
	newer_error_info e;
	const void *data = NULL;
	size_t size = 0, k;
	rnpu_session *s, *r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MODELDIR\n", argv[0]);
		return 2;
	}
	CHECK(rnpu_api_version(&major, &minor) == RNPU_API_VERSION);
	CHECK(major == RNPU_API_VERSION_MAJOR && minor == RNPU_API_VERSION_MINOR);
	CHECK(RNPU_API_VERSION_MAJOR_OF(RNPU_API_VERSION) == 1);
	CHECK(rnpu_api_version(NULL, NULL) == RNPU_MAKE_API_VERSION(major, minor));
	CHECK(RNPU_MAX_RANK == 16);
	printf("newer caller: librnpu %s, API %u.%u\n", rnpu_version(), major, minor);

	s = load(argv[1], "add_relu.onnx");
	if (!s)
		return 1;

	/* Input struct, larger than the library's, unknown tail zero: works. */
	memset(&in, 0, sizeof(in));
	in.base.struct_size = sizeof(in);
	in.base.data = x;
	in.base.size = sizeof(x);
	in.base.dims = dims;
	in.base.rank = 2;
	in.base.dtype = RNPU_DTYPE_FLOAT32;
	CHECK(rnpu_session_set_input_desc(s, 0, &in.base) == RNPU_OK);
	CHECK(rnpu_session_set_output(s, 0, y, sizeof(y)) == RNPU_OK);
	CHECK(rnpu_session_run(s) == RNPU_OK);
	CHECK(y[0] == 0.f && y[1] == 9.f && y[5] == 13.f);

	/* ... a field set in that tail is one this library lacks. */
	in.future_flags = 1;
	CHECK(rnpu_session_set_input_desc(s, 0, &in.base) == RNPU_ERR_UNSUPPORTED);
	CHECK(strstr(last_message(), "does not know") != NULL);
	CHECK(strcmp(rnpu_status_string(RNPU_ERR_UNSUPPORTED), "unknown status") != 0);
	in.future_flags = 0;
	in.future_pointer = x;
	CHECK(rnpu_session_set_input_desc(s, 0, &in.base) == RNPU_ERR_UNSUPPORTED);
	in.future_pointer = NULL;
	/* An older caller's exact size works; below the minimum does not. */
	in.base.struct_size = RNPU_INPUT_DESC_MIN_SIZE;
	CHECK(rnpu_session_set_input_desc(s, 0, &in.base) == RNPU_OK);
	in.base.struct_size = RNPU_INPUT_DESC_MIN_SIZE - 1;
	CHECK(rnpu_session_set_input_desc(s, 0, &in.base) == RNPU_ERR_INVALID_ARGUMENT);
	in.base.struct_size = sizeof(in);
	/* The element type is checked when given. */
	in.base.dtype = RNPU_DTYPE_INT32;
	CHECK(rnpu_session_set_input_desc(s, 0, &in.base) == RNPU_ERR_INVALID_ARGUMENT);
	CHECK(strstr(last_message(), "float32") != NULL);
	in.base.dtype = RNPU_DTYPE_UNDEFINED;
	CHECK(rnpu_session_set_input_desc(s, 0, &in.base) == RNPU_OK);

	/* Output structs larger than the library's: the tail is left alone. */
	memset(&t, 0x5a, sizeof(t));
	t.base.struct_size = sizeof(t);
	CHECK(rnpu_session_output_info(s, 0, &t.base) == RNPU_OK);
	CHECK(t.base.struct_size == sizeof(t));
	CHECK(t.base.rank == 2 && t.base.dims[0] == 2 && t.base.dims[1] == 3);
	for (k = 0; k < 4; k++)
		CHECK(t.future_field[k] == 0x5a5a5a5a5a5a5a5aLL);
	memset(&e, 0x5a, sizeof(e));
	e.base.struct_size = sizeof(e);
	CHECK(rnpu_session_find_output(s, "nope", &k) == RNPU_ERR_INVALID_ARGUMENT);
	CHECK(rnpu_last_error(&e.base) == RNPU_ERR_INVALID_ARGUMENT);
	CHECK(e.base.message && strstr(e.base.message, "nope"));
	{
		const char *sentinel;

		memset(&sentinel, 0x5a, sizeof(sentinel));
		CHECK(e.future_string == sentinel);
	}

	/* Per-session last error: an asynchronous run's failure, kept on the
	 * session even after this thread fails elsewhere. */
	{
		rnpu_session *u = load(argv[1], "add_relu.onnx");
		rnpu_error_info se = { .struct_size = sizeof(se) };

		if (!u)
			return 1;
		CHECK(rnpu_session_last_error(u, &se) == RNPU_OK); /* no failure yet */
		CHECK(se.message && se.message[0] == '\0');
		CHECK(rnpu_session_run_async(u, on_done, NULL) == RNPU_OK);
		CHECK(rnpu_session_wait(u) == RNPU_ERR_INVALID_ARGUMENT);
		CHECK(callback_saw_details);
		CHECK(rnpu_options_set_threads(NULL, 1) == RNPU_ERR_INVALID_ARGUMENT);
		CHECK(strstr(last_message(), "options") != NULL);
		CHECK(rnpu_session_last_error(u, &se) == RNPU_ERR_INVALID_ARGUMENT);
		CHECK(se.status == RNPU_ERR_INVALID_ARGUMENT);
		CHECK(se.message && strstr(se.message, "'x' is not set"));
		CHECK(rnpu_session_last_error(NULL, &se) == RNPU_ERR_INVALID_ARGUMENT);
		rnpu_session_destroy(u);
	}
	rnpu_session_destroy(s);

	/* Rank 12 fits today's dims[16]; rank 17 exceeds RNPU_MAX_RANK. */
	r = load(argv[1], "rank12.onnx");
	if (!r)
		return 1;
	memset(&t, 0, sizeof(t));
	t.base.struct_size = sizeof(t.base);
	CHECK(rnpu_session_input_info(r, 0, &t.base) == RNPU_OK);
	CHECK(t.base.rank == 12 && t.base.dims[10] == 2 && t.base.dims[11] == 3);
	CHECK(rnpu_session_set_input(r, 0, x, sizeof(x), dims17, 17) == RNPU_ERR_INVALID_ARGUMENT);
	CHECK(strstr(last_message(), "RNPU_MAX_RANK") != NULL);
	CHECK(rnpu_session_set_input(r, 0, x, sizeof(x), dims12, 12) == RNPU_OK);
	CHECK(rnpu_session_run(r) == RNPU_OK);
	CHECK(rnpu_session_get_output(r, 0, &t.base, &data, &size) == RNPU_OK);
	CHECK(t.base.rank == 12 && t.base.dims[11] == 3 && size == sizeof(x));
	CHECK(data && ((const float *)data)[0] == 0.f && ((const float *)data)[5] == 3.f);
	/* A struct that holds only 8 dims (the 0.1 minimum) cannot take rank 12. */
	t.base.struct_size = RNPU_TENSOR_INFO_MIN_SIZE;
	CHECK(rnpu_session_get_output(r, 0, &t.base, &data, &size) == RNPU_ERR_INVALID_ARGUMENT);
	rnpu_session_destroy(r);

	if (abi_failures) {
		fprintf(stderr, "newer caller: %d checks failed\n", abi_failures);
		return 1;
	}
	printf("newer caller: all checks passed\n");
	return 0;
}
