/* Uses the installed C API: lists backends, runs an ONNX model with
 * zero-filled float inputs (static shapes only) and prints the outputs. */
#include <rnpu/rnpu.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	rnpu_session *s = NULL;
	rnpu_error_info e = { .struct_size = sizeof(e) };
	size_t i;

	printf("librnpu %s (API %u.%u), %zu backends\n", rnpu_version(),
	       RNPU_API_VERSION_MAJOR_OF(rnpu_api_version(NULL, NULL)),
	       RNPU_API_VERSION_MINOR_OF(rnpu_api_version(NULL, NULL)), rnpu_backend_count());
	if (RNPU_API_VERSION_MAJOR_OF(rnpu_api_version(NULL, NULL)) != RNPU_API_VERSION_MAJOR) {
		fprintf(stderr, "library API major differs from the header's\n");
		return 1;
	}
	if (argc < 2)
		return 0;
	if (rnpu_session_create_from_file(argv[1], NULL, &s) != RNPU_OK) {
		rnpu_last_error(&e);
		fprintf(stderr, "load: %s\n", e.message);
		return 1;
	}
	for (i = 0; i < rnpu_session_input_count(s); i++) {
		rnpu_tensor_info t = { .struct_size = sizeof(t) };
		size_t n = 1, k;
		void *buf;

		rnpu_session_input_info(s, i, &t);
		for (k = 0; k < t.rank; k++)
			n *= (size_t)t.dims[k];
		buf = calloc(n ? n : 1, 4);
		if (rnpu_session_set_input(s, i, buf, n * 4, t.dims, t.rank) != RNPU_OK) {
			rnpu_last_error(&e);
			fprintf(stderr, "input: %s\n", e.message);
			return 1;
		}
	}
	if (rnpu_session_run(s) != RNPU_OK) {
		rnpu_last_error(&e);
		fprintf(stderr, "run: %s\n", e.message);
		return 1;
	}
	for (i = 0; i < rnpu_session_output_count(s); i++) {
		rnpu_tensor_info t = { .struct_size = sizeof(t) };
		const void *data;
		size_t size;

		rnpu_session_get_output(s, i, &t, &data, &size);
		printf("output %s: %zu bytes\n", t.name, size);
	}
	rnpu_session_destroy(s);
	return 0;
}
