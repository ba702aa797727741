// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the golden model's command-stream decoder and
 * executor.  Any input must be validated or rejected with a status, and
 * running it over a small device memory must neither crash nor read or
 * write outside what the callbacks allow.  A short cycle budget keeps
 * runs bounded (huge tensors hit the watchdog before they are touched).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu_model.h"

#define DRAM (64u << 10)

static uint8_t dram[DRAM];

static int rd(void *o, uint64_t va, void *dst, uint64_t len)
{
	(void)o;
	if (va > DRAM || len > DRAM - va)
		return -1;
	memcpy(dst, dram + va, len);
	return 0;
}

static int wr(void *o, uint64_t va, const void *src, uint64_t len)
{
	(void)o;
	if (va > DRAM || len > DRAM - va)
		return -1;
	memcpy(dram + va, src, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rnpu_model *m;
	struct rnpu_mem_ops ops = { rd, wr, NULL, NULL };
	struct rnpu_model_result r1, r2;
	struct rnpu_cmd_cost costs[8];
	enum rnpu_model_status v, x;

	if (!m) {
		struct rnpu_model_config c;

		rnpu_model_default_config(&c);
		m = rnpu_model_create(&c);
	}
	v = rnpu_model_validate(data, size, &r1);
	x = rnpu_model_run(m, data, size, &ops, 1u << 16, &r2, costs, 8);
	/*
	 * A stream validation rejects never runs; one that runs validated.
	 * (The statuses may differ: run() checks against the model's real
	 * SRAM size, so it can fail earlier than validate().)
	 */
	if ((v != RNPU_MS_OK && x == RNPU_MS_OK) || (x == RNPU_MS_OK && v != RNPU_MS_OK))
		abort();
	if (r1.msg[sizeof(r1.msg) - 1] || r2.msg[sizeof(r2.msg) - 1])
		abort();
	return 0;
}
