/* SPDX-License-Identifier: MIT */
/*
 * The rnpu golden model: executes one command stream the way the hardware
 * would and reports the modelled cost.  Used by the QEMU device, by
 * librnpu's in-process "sim" backend and by the compiler's tests, so the
 * three can never disagree about what a stream means.
 *
 * All device memory goes through struct rnpu_mem_ops: the model never
 * dereferences a device address itself, so translation, permissions and
 * faults stay with the caller (the QEMU device walks the MMU; the sim
 * backend checks its own buffers).  The SRAM window is owned by the model.
 */
#ifndef RNPU_MODEL_H
#define RNPU_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "rnpu_cmd.h"
#include "rnpu_regs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why a stream was rejected or stopped; also reported in rnpu_job_result.detail. */
enum rnpu_model_status {
	RNPU_MS_OK = 0,
	RNPU_MS_TRUNCATED,	/* stream or command shorter than it claims */
	RNPU_MS_BAD_HEADER,	/* magic, header_size, total_size, flags */
	RNPU_MS_BAD_VERSION,	/* version newer than RNPU_CS_VERSION */
	RNPU_MS_BAD_OPCODE,
	RNPU_MS_BAD_SIZE,	/* command size wrong for its opcode or unaligned */
	RNPU_MS_RESERVED,	/* a reserved field is non-zero */
	RNPU_MS_BAD_DTYPE,	/* dtype unknown or not allowed for the op */
	RNPU_MS_BAD_SHAPE,	/* rank, dims or shapes inconsistent for the op */
	RNPU_MS_BAD_PARAM,	/* stride, pad, kernel, groups, enum out of range */
	RNPU_MS_OVERFLOW,	/* size or address arithmetic overflows 64 bits */
	RNPU_MS_ADDR_RANGE,	/* tensor extends beyond the VA space or SRAM window */
	RNPU_MS_MEM_FAULT,	/* a memory callback reported a fault */
	RNPU_MS_WATCHDOG,	/* cycle budget exceeded */
	RNPU_MS_NO_MEMORY,	/* the model could not allocate scratch */
	RNPU_MS_COUNT
};

/* Short stable name of a status, e.g. "bad-opcode". */
const char *rnpu_model_status_name(enum rnpu_model_status st);

/*
 * Device memory access.  read/write move len bytes at device VA va and
 * return 0, or non-zero on a fault (the model then stops the stream with
 * RNPU_MS_MEM_FAULT and reports va as fault_va).  map is optional: it may
 * return a host pointer valid for len bytes (for writing if write != 0),
 * or NULL to fall back to read/write.
 */
struct rnpu_mem_ops {
	int (*read)(void *opaque, uint64_t va, void *dst, uint64_t len);
	int (*write)(void *opaque, uint64_t va, const void *src, uint64_t len);
	void *(*map)(void *opaque, uint64_t va, uint64_t len, int write);
	void *opaque;
};

/* Hardware configuration: what the capability registers report. */
struct rnpu_model_config {
	uint32_t mac_rows;	/* int8 MAC array rows (input channels) */
	uint32_t mac_cols;	/* int8 MAC array columns (output channels) */
	uint32_t vec_lanes;	/* vector unit elements per cycle */
	uint32_t sram_kib;
	uint32_t dram_bytes_per_cycle;
	uint32_t sram_bytes_per_cycle;
	uint32_t cmd_overhead_cycles;	/* fixed issue cost per command */
	uint32_t num_opp;
	uint32_t opp_mhz[RNPU_MAX_OPP];
	uint32_t opp_uv[RNPU_MAX_OPP];
};

/* The reference configuration of hw/SPEC.md. */
void rnpu_model_default_config(struct rnpu_model_config *cfg);

/* Cost of one command, for profiles (filled per command when requested). */
struct rnpu_cmd_cost {
	uint32_t offset;	/* byte offset of the command in the stream */
	uint16_t opcode;
	uint16_t reserved;
	uint64_t cycles;
	uint64_t compute_cycles;
	uint64_t mem_cycles;
	uint64_t macs;
	uint64_t dram_bytes;
	uint64_t sram_bytes;
};

struct rnpu_model_result {
	enum rnpu_model_status status;
	uint32_t err_offset;	/* byte offset of the failing command (or 0) */
	uint32_t err_cmd;	/* index of the failing command */
	uint64_t fault_va;	/* for RNPU_MS_MEM_FAULT / ADDR_RANGE */
	char msg[128];		/* human-readable detail, NUL terminated */
	uint64_t cycles;
	uint64_t compute_cycles;
	uint64_t macs;
	uint64_t dram_rd_bytes;
	uint64_t dram_wr_bytes;
	uint64_t sram_bytes;
	uint32_t num_cmds;	/* commands executed */
};

struct rnpu_model;

/* Returns NULL on allocation failure. */
struct rnpu_model *rnpu_model_create(const struct rnpu_model_config *cfg);
void rnpu_model_destroy(struct rnpu_model *m);
const struct rnpu_model_config *rnpu_model_get_config(const struct rnpu_model *m);
/* Host pointer to the SRAM window (sram_kib KiB), for tests and the sim backend. */
void *rnpu_model_sram(struct rnpu_model *m);

/*
 * Validate a whole stream without touching memory: header, every command's
 * encoding, dtypes, shapes, parameters and address arithmetic.  Returns the
 * status and fills res (status, err_offset, err_cmd, msg).
 */
enum rnpu_model_status rnpu_model_validate(const void *stream, size_t len,
					   struct rnpu_model_result *res);

/*
 * Validate, then execute.  budget_cycles == 0 means no watchdog.  costs, if
 * not NULL, receives up to max_costs per-command entries.  Returns
 * res->status.  Execution stops at the first failing command; earlier
 * commands' writes stay done, as on the hardware.
 */
enum rnpu_model_status rnpu_model_run(struct rnpu_model *m, const void *stream,
				      size_t len, const struct rnpu_mem_ops *mem,
				      uint64_t budget_cycles,
				      struct rnpu_model_result *res,
				      struct rnpu_cmd_cost *costs, size_t max_costs);

/*
 * Validate, then total the modelled cost of every command without
 * executing anything: the timing model depends on the descriptors alone
 * (hw/SPEC.md, "Timing"), so a compiler can compare candidate streams.
 * Fills res like rnpu_model_run would for a run that succeeds.
 */
enum rnpu_model_status rnpu_model_estimate(const struct rnpu_model_config *cfg,
					   const void *stream, size_t len,
					   struct rnpu_model_result *res);

/*
 * binary16 conversions with the hardware's rounding (round to nearest even
 * straight from double), for compilers packing fp16 weights.
 */
uint16_t rnpu_fp16_from_double(double v);
double rnpu_fp16_to_double(uint16_t h);

/* Modelled cycles to nanoseconds at a frequency. */
static inline uint64_t rnpu_cycles_to_ns(uint64_t cycles, uint32_t mhz)
{
	return mhz ? cycles * 1000u / mhz : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* RNPU_MODEL_H */
