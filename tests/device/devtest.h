/* SPDX-License-Identifier: MIT */
/*
 * rnpu-devtest: exercises the rnpu QEMU device from a guest without any
 * driver, through sysfs (config space, resource0) and /proc/self/pagemap.
 */
#ifndef RNPU_DEVTEST_H
#define RNPU_DEVTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rnpu_cmd.h"
#include "rnpu_regs.h"

/* ---- TAP ---------------------------------------------------------------- */
void tap_ok(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_skip(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tap_done(void);	/* prints the plan; returns the exit status */

/* ---- the device (dev.c) ----------------------------------------------- */
struct dev {
	char sysfs[320];	/* /sys/bus/pci/devices/<bdf> */
	char bdf[256];
	char driver[256];	/* driver unbound at open, rebound at close */
	uint32_t class_code;
	uint32_t revision;
	volatile uint32_t *regs;
};

int dev_open(struct dev *d);
void dev_close(struct dev *d);
static inline uint32_t rd(const struct dev *d, uint32_t off)
{
	return d->regs[off / 4];
}
static inline void wr(const struct dev *d, uint32_t off, uint32_t v)
{
	d->regs[off / 4] = v;
}
int uio_bind(struct dev *d);
void uio_unbind(struct dev *d, int fd);
int intx_unmask(const struct dev *d);
bool intx_asserted(const struct dev *d);
uint64_t rd64(const struct dev *d, uint32_t lo_off);
void wr64(const struct dev *d, uint32_t lo_off, uint64_t v);
uint64_t counter(const struct dev *d, enum rnpu_counter c);

/* ---- DMA memory: locked pages with known bus addresses (dmamem.c) --------- */
#define DEV_VA_BASE	0x40000000ull	/* where pool pages appear in context 1 */

struct pool {
	uint8_t *va;
	uint64_t *pa;		/* bus address of each page */
	size_t npages;
	size_t next;		/* bump allocator, in pages */
	uint64_t root_pa;	/* context 1 level-0 table */
	uint64_t *root;
};

int pool_init(struct pool *p, size_t npages);
void *pool_alloc(struct pool *p, size_t bytes);	/* page aligned, zeroed */
uint64_t pool_pa(const struct pool *p, const void *ptr);
uint64_t pool_dva(const struct pool *p, const void *ptr);	/* device VA in ctx 1 */
/* Map [ptr, ptr+bytes) at its device VA with RNPU_PTE_x rights; 0 = unmap. */
int pt_map(struct pool *p, const void *ptr, size_t bytes, uint64_t rights);

/* ---- command streams and the job ring (jobs.c) ----------------------------- */
struct stream {
	uint8_t *buf;
	uint32_t cap;
	uint32_t len;
};

void cs_begin(struct stream *s, void *buf, uint32_t cap);
void cs_dma(struct stream *s, uint64_t src, uint64_t dst, uint32_t n);
void cs_add(struct stream *s, uint64_t a, uint64_t b, uint64_t out, uint32_t n);
void cs_end(struct stream *s);
struct rnpu_tensor_desc td_i8(uint64_t va, uint32_t n);

struct ring {
	struct rnpu_job_desc *desc;
	struct rnpu_job_result *res;	/* one per ring slot */
	uint64_t res_pa;
	volatile uint64_t *fence;
	uint32_t size;
	uint32_t tail;
	uint64_t seqno;
};

int ring_setup(const struct dev *d, struct pool *p, struct ring *r);
/* Program ring registers, contexts (0 bypass, 1 translated) and enable. */
void ring_program(const struct dev *d, struct pool *p, struct ring *r);
uint64_t ring_submit(const struct dev *d, struct ring *r, uint64_t cmd,
		     uint32_t size, uint16_t asid, uint32_t budget);
/* Poll DONE_SEQNO; returns 0 when it reads @seqno, -1 after @timeout_ms. */
int ring_wait(const struct dev *d, uint64_t seqno, int timeout_ms);
struct rnpu_job_result *ring_result(struct ring *r, uint64_t seqno);

/* Host CLOCK_MONOTONIC: only ever an upper bound on a wait, never measured. */
double now_ms(void);

#endif /* RNPU_DEVTEST_H */
