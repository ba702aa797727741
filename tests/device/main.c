// SPDX-License-Identifier: MIT
/*
 * rnpu-devtest: driverless tests of the rnpu QEMU device, run inside the
 * test guest (tests/vm.d/10-device.test).  Prints TAP.
 */
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devtest.h"

#define BIG_BYTES	(1u << 20)	/* per buffer of the DVFS job */
#define BIG_CMDS	64	/* most copies in one stream (4 pages) */
/*
 * Host time only bounds waits, turning a hang into a failure; it is never
 * compared with anything.  Time in the device is read from CYCLES.
 */
#define WAIT_MS		30000

struct ctx {
	struct dev dev;
	struct pool pool;
	struct ring ring;
	/* Buffers, all in the pool and mapped read/write in context 1 unless noted. */
	uint8_t *stream;	/* 4 pages for command streams */
	uint8_t *src, *dst;	/* 3 pages each: copies cross page boundaries */
	int8_t *a, *b, *out;	/* eltwise operands */
	uint8_t *ro;		/* mapped read-only */
	uint8_t *tlbpage;	/* mapped, later unmapped */
	uint8_t *big_a, *big_b;	/* DVFS job buffers */
	uint8_t *bypass_src, *bypass_dst;	/* single pages, used through context 0 */
};

static const struct dev *D;

static struct rnpu_job_result *run(struct ctx *c, uint64_t cmd, uint32_t size,
				   uint16_t asid, uint32_t budget, uint64_t *seq)
{
	*seq = ring_submit(&c->dev, &c->ring, cmd, size, asid, budget);
	if (ring_wait(&c->dev, *seq, WAIT_MS))
		return NULL;
	__sync_synchronize();
	return ring_result(&c->ring, *seq);
}

/* Run the stream at c->stream in context 1. */
static struct rnpu_job_result *run_stream(struct ctx *c, struct stream *s,
					  uint32_t budget, uint64_t *seq)
{
	return run(c, pool_dva(&c->pool, c->stream), s->len, 1, budget, seq);
}

static void clear_errors(const struct dev *d)
{
	wr(d, RNPU_REG_IRQ_CLEAR, ~0u);
	wr(d, RNPU_REG_MMU_FAULT_STATUS, 0);
}

/* Polls CYCLES until it reads at least @until. */
static bool wait_cycles(const struct dev *d, uint64_t until)
{
	double end = now_ms() + WAIT_MS;

	while (counter(d, RNPU_CNT_CYCLES) < until)
		if (now_ms() > end)
			return false;
	return true;
}

/* Polls RING_HEAD until it reads @head (the jobs before it retired). */
static bool wait_head(const struct dev *d, uint32_t head)
{
	double end = now_ms() + WAIT_MS;

	while (rd(d, RNPU_REG_RING_HEAD) != head)
		if (now_ms() > end)
			return false;
	return true;
}

/* Cycles of @us microseconds of device time at @mhz. */
static uint64_t us_cycles(double us, uint32_t mhz)
{
	return (uint64_t)(us * mhz);
}

static bool job_failed(struct ctx *c, struct rnpu_job_result *r, uint64_t seq,
		       uint32_t err, uint32_t irq)
{
	bool ok = r && r->seqno == seq && r->status == err &&
		  rd64(D, RNPU_REG_ERR_SEQNO_LO) == seq &&
		  rd(D, RNPU_REG_ERR_CLASS) == err &&
		  (rd(D, RNPU_REG_IRQ_STATUS) & irq) == irq;

	if (!ok)
		tap_diag("job %llu: result %s status %u, ERR_SEQNO %llu ERR_CLASS %u IRQ_STATUS 0x%x (want err %u irq 0x%x)",
			 (unsigned long long)seq, r ? "present" : "timed out",
			 r ? r->status : 0,
			 (unsigned long long)rd64(D, RNPU_REG_ERR_SEQNO_LO),
			 rd(D, RNPU_REG_ERR_CLASS), rd(D, RNPU_REG_IRQ_STATUS),
			 err, irq);
	(void)c;
	return ok;
}

static void test_identity(struct ctx *c)
{
	const struct dev *d = &c->dev;
	uint32_t nopp = rd(d, RNPU_REG_CAP_OPP), i;
	bool ok = true;

	tap_ok(rd(d, RNPU_REG_ID) == RNPU_ID_MAGIC, "ID reads the RNPU magic");
	tap_ok(rd(d, RNPU_REG_VERSION) == RNPU_HW_VERSION, "VERSION is %u.%u",
	       RNPU_HW_VERSION_MAJOR, RNPU_HW_VERSION_MINOR);
	tap_ok(rd(d, RNPU_REG_CAP_CTX) == RNPU_MAX_CTX &&
	       rd(d, RNPU_REG_CAP_VA_BITS) == RNPU_VA_BITS &&
	       rd(d, RNPU_REG_CAP_CMD_VER) >= 1 &&
	       rd64(d, RNPU_REG_CAP_SRAM_VA_LO) == RNPU_SRAM_VA &&
	       (rd(d, RNPU_REG_CAP_MAC) & 0xffff) && (rd(d, RNPU_REG_CAP_MAC) >> 16) &&
	       rd(d, RNPU_REG_CAP_VEC) && rd(d, RNPU_REG_CAP_SRAM) &&
	       (rd(d, RNPU_REG_CAP_DTYPES) & (1u << RNPU_DT_INT8)) &&
	       (rd(d, RNPU_REG_CAP_OPS) & (1u << RNPU_OP_DMA | 1u << RNPU_OP_ELTWISE)) ==
		       (1u << RNPU_OP_DMA | 1u << RNPU_OP_ELTWISE),
	       "capability registers (contexts, VA bits, SRAM window, MAC array, dtypes, ops)");
	for (i = 0; i < RNPU_MAX_OPP; i++) {
		uint32_t mhz = rd(d, RNPU_OPP_FREQ_MHZ(i)), uv = rd(d, RNPU_OPP_UVOLT(i));

		if (i < nopp)
			ok &= mhz && uv;
		else
			ok &= !mhz && !uv;
	}
	tap_ok(nopp >= 1 && nopp <= RNPU_MAX_OPP && ok,
	       "OPP table has %u operating points", nopp);
	tap_diag("CAP_MAC 0x%08x CAP_VEC %u SRAM %u KiB CAP_DMA 0x%08x OPPs %u",
		 rd(d, RNPU_REG_CAP_MAC), rd(d, RNPU_REG_CAP_VEC),
		 rd(d, RNPU_REG_CAP_SRAM), rd(d, RNPU_REG_CAP_DMA), nopp);

	wr(d, RNPU_REG_ID, 0);
	tap_ok(rd(d, RNPU_REG_ID) == RNPU_ID_MAGIC, "ID ignores writes");
}

static void test_control(struct ctx *c)
{
	const struct dev *d = &c->dev;
	uint32_t mhz, temp;
	bool gated;

	wr(d, RNPU_REG_CTRL, RNPU_CTRL_RESET);
	tap_ok(!(rd(d, RNPU_REG_CTRL) & RNPU_CTRL_RESET) &&
	       (rd(d, RNPU_REG_STATUS) & (RNPU_STATUS_IDLE | RNPU_STATUS_BUSY)) == RNPU_STATUS_IDLE,
	       "soft reset completes at once and the device is idle");

	wr(d, RNPU_REG_IRQ_MASK, RNPU_IRQ_JOB_DONE | RNPU_IRQ_ERR_MASK);
	tap_ok(rd(d, RNPU_REG_IRQ_MASK) == (RNPU_IRQ_JOB_DONE | RNPU_IRQ_ERR_MASK),
	       "IRQ_MASK reads back");
	/* No handler for INTx here: keep every cause masked from now on. */
	wr(d, RNPU_REG_IRQ_MASK, 0);
	tap_ok(rd(d, RNPU_REG_IRQ_MASK) == 0 && rd(d, RNPU_REG_IRQ_STATUS) == 0,
	       "IRQ_MASK clears, no cause pending after reset");

	wr(d, RNPU_REG_CTRL, RNPU_CTRL_CLK_GATE);
	tap_ok(rd(d, RNPU_REG_STATUS) & RNPU_STATUS_GATED,
	       "idle clocks are gated with CTRL.CLK_GATE");
	/* CYCLES is the device's clock: it runs while powered, gated or not. */
	gated = wait_cycles(d, counter(d, RNPU_CNT_CYCLES) + 1);
	wr(d, RNPU_REG_CTRL, 0);
	tap_ok(!(rd(d, RNPU_REG_STATUS) & RNPU_STATUS_GATED),
	       "and run again without it");
	tap_ok(gated && wait_cycles(d, counter(d, RNPU_CNT_CYCLES) + 1),
	       "CYCLES advances while idle, clocks gated or not");

	temp = rd(d, RNPU_REG_TEMP);
	tap_ok(temp > 0 && temp < 150000, "TEMP plausible: %u m°C", temp);

	/* Its rate against the job clock is checked in test_dvfs(). */
	mhz = rd(d, RNPU_REG_OPP_FREQ);
	tap_ok(mhz && mhz == rd(d, RNPU_OPP_FREQ_MHZ(rd(d, RNPU_REG_OPP_SEL))),
	       "OPP_FREQ %u MHz is the selected operating point's", mhz);
}

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed + (i >> 8));
}

static void test_jobs(struct ctx *c)
{
	const struct dev *d = &c->dev;
	struct rnpu_job_result *r;
	struct stream s;
	uint64_t seq, rd0;
	const uint32_t n = 3 * RNPU_PAGE_SIZE - 1000;
	bool ok;
	int i;

	wr(d, RNPU_REG_PERF_CTRL, 1);

	/* Context 0 bypasses the MMU: VA == bus address. */
	fill(c->bypass_src, RNPU_PAGE_SIZE, 1);
	memset(c->bypass_dst, 0, RNPU_PAGE_SIZE);
	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	cs_dma(&s, pool_pa(&c->pool, c->bypass_src), pool_pa(&c->pool, c->bypass_dst),
	       RNPU_PAGE_SIZE);
	cs_end(&s);
	r = run(c, pool_pa(&c->pool, c->stream), s.len, 0, 0, &seq);
	tap_ok(r && r->seqno == seq && r->status == RNPU_ERR_NONE && r->cycles > 0 &&
	       *c->ring.fence == seq &&
	       !memcmp(c->bypass_src, c->bypass_dst, RNPU_PAGE_SIZE),
	       "DMA copy in a bypass context: data, DONE_SEQNO, fence, result record");
	if (r)
		tap_diag("copy of 4 KiB: %llu cycles, %llu DRAM bytes",
			 (unsigned long long)r->cycles, (unsigned long long)r->dram_bytes);
	tap_ok(rd(d, RNPU_REG_IRQ_STATUS) == RNPU_IRQ_JOB_DONE,
	       "JOB_DONE pending in IRQ_STATUS");
	wr(d, RNPU_REG_IRQ_CLEAR, RNPU_IRQ_JOB_DONE);
	tap_ok(rd(d, RNPU_REG_IRQ_STATUS) == 0, "IRQ_CLEAR clears it");

	/* Context 1 translates through the page tables, across pages. */
	fill(c->src, 3 * RNPU_PAGE_SIZE, 2);
	memset(c->dst, 0, 3 * RNPU_PAGE_SIZE);
	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	cs_dma(&s, pool_dva(&c->pool, c->src + 500), pool_dva(&c->pool, c->dst + 100), n);
	cs_end(&s);
	r = run_stream(c, &s, 0, &seq);
	ok = r && r->status == RNPU_ERR_NONE && !memcmp(c->src + 500, c->dst + 100, n);
	for (i = 0; i < 100 && ok; i++)
		ok = c->dst[i] == 0 && c->dst[100 + n + i] == 0;
	tap_ok(ok, "DMA copy of %u bytes through the MMU across pages", n);

	for (i = 0; i < 4000; i++) {
		c->a[i] = (int8_t)(i % 50 - 25);
		c->b[i] = (int8_t)(3 * (i % 20) - 30);
	}
	memset(c->out, 0x55, 4096);
	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	cs_add(&s, pool_dva(&c->pool, c->a), pool_dva(&c->pool, c->b),
	       pool_dva(&c->pool, c->out), 4000);
	cs_end(&s);
	r = run_stream(c, &s, 0, &seq);
	ok = r && r->status == RNPU_ERR_NONE;
	for (i = 0; i < 4000 && ok; i++)
		ok = c->out[i] == c->a[i] + c->b[i];
	if (r && !ok)
		tap_diag("eltwise: status %u detail %u, out[%d] = %d, want %d",
			 r->status, r->detail, i - 1, c->out[i - 1],
			 c->a[i - 1] + c->b[i - 1]);
	tap_ok(ok && c->out[4000] == 0x55, "ELTWISE add of 4000 int8 values");

	rd0 = counter(d, RNPU_CNT_DRAM_RD);
	tap_ok(counter(d, RNPU_CNT_JOBS) == 3 && counter(d, RNPU_CNT_BUSY) > 0 &&
	       rd0 >= RNPU_PAGE_SIZE + n && counter(d, RNPU_CNT_DRAM_WR) >= RNPU_PAGE_SIZE + n,
	       "counters: 3 jobs, busy cycles, DRAM bytes (rd %llu wr %llu)",
	       (unsigned long long)rd0,
	       (unsigned long long)counter(d, RNPU_CNT_DRAM_WR));
	tap_ok(rd(d, RNPU_REG_RING_HEAD) == c->ring.tail,
	       "RING_HEAD caught up with RING_TAIL");
	clear_errors(d);
}

static void test_mmu(struct ctx *c)
{
	const struct dev *d = &c->dev;
	uint64_t hole = DEV_VA_BASE + 0x10000000, seq, ro = pool_dva(&c->pool, c->ro);
	uint64_t tp = pool_dva(&c->pool, c->tlbpage);
	struct rnpu_job_result *r;
	struct stream s;

	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	cs_dma(&s, hole, pool_dva(&c->pool, c->dst), 64);
	cs_end(&s);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(job_failed(c, r, seq, RNPU_ERR_MMU_FAULT, RNPU_IRQ_MMU_FAULT) &&
	       r->fault_addr == hole &&
	       rd(d, RNPU_REG_MMU_FAULT_STATUS) ==
		       (RNPU_FAULT_VALID | RNPU_FAULT_TRANSLATION << RNPU_FAULT_TYPE_SHIFT) &&
	       rd(d, RNPU_REG_MMU_FAULT_ASID) == 1 &&
	       rd64(d, RNPU_REG_MMU_FAULT_ADDR_LO) == hole,
	       "read of an unmapped VA: translation fault reported (0x%llx)",
	       (unsigned long long)hole);
	clear_errors(d);
	tap_ok(rd(d, RNPU_REG_MMU_FAULT_STATUS) == 0 && rd(d, RNPU_REG_IRQ_STATUS) == 0,
	       "fault registers and IRQ_STATUS clear");

	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	cs_dma(&s, pool_dva(&c->pool, c->src), ro + 8, 64);
	cs_end(&s);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(job_failed(c, r, seq, RNPU_ERR_MMU_FAULT, RNPU_IRQ_MMU_FAULT) &&
	       rd(d, RNPU_REG_MMU_FAULT_STATUS) ==
		       (RNPU_FAULT_VALID | RNPU_FAULT_WRITE |
			RNPU_FAULT_PERMISSION << RNPU_FAULT_TYPE_SHIFT) &&
	       rd64(d, RNPU_REG_MMU_FAULT_ADDR_LO) >= ro &&
	       rd64(d, RNPU_REG_MMU_FAULT_ADDR_LO) < ro + 72,
	       "write to a read-only page: permission fault, write flag");
	clear_errors(d);

	/* The TLB keeps a translation until MMU_TLB_INV. */
	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	cs_dma(&s, tp, pool_dva(&c->pool, c->dst), 64);
	cs_end(&s);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(r && r->status == RNPU_ERR_NONE, "job reads a mapped page");
	pt_map(&c->pool, c->tlbpage, RNPU_PAGE_SIZE, 0);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(r && r->status == RNPU_ERR_NONE,
	       "after unmapping, the cached translation still works until invalidation");
	wr(d, RNPU_REG_MMU_TLB_INV, 1);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(job_failed(c, r, seq, RNPU_ERR_MMU_FAULT, RNPU_IRQ_MMU_FAULT) &&
	       r->fault_addr == tp,
	       "after MMU_TLB_INV the unmapped page faults");
	clear_errors(d);
	pt_map(&c->pool, c->tlbpage, RNPU_PAGE_SIZE, RNPU_PTE_READ | RNPU_PTE_WRITE);

	r = run(c, pool_dva(&c->pool, c->stream), s.len, 5, 0, &seq);
	tap_ok(job_failed(c, r, seq, RNPU_ERR_MMU_FAULT, RNPU_IRQ_MMU_FAULT) &&
	       rd(d, RNPU_REG_MMU_FAULT_STATUS) ==
		       (RNPU_FAULT_VALID | RNPU_FAULT_BAD_CTX << RNPU_FAULT_TYPE_SHIFT) &&
	       rd(d, RNPU_REG_MMU_FAULT_ASID) == 5,
	       "job in a context that is not valid: BAD_CTX fault");
	clear_errors(d);
	r = run(c, pool_dva(&c->pool, c->stream), s.len, 200, 0, &seq);
	tap_ok(job_failed(c, r, seq, RNPU_ERR_BAD_JOB, RNPU_IRQ_JOB_ERROR),
	       "job naming context 200 (>= CAP_CTX) is a bad job");
	clear_errors(d);
}

static void big_stream(struct ctx *c, struct stream *s, unsigned int cmds)
{
	unsigned int i;

	cs_begin(s, c->stream, 4 * RNPU_PAGE_SIZE);
	for (i = 0; i < cmds; i++) {
		uint8_t *from = i & 1 ? c->big_b : c->big_a;
		uint8_t *to = i & 1 ? c->big_a : c->big_b;

		cs_dma(s, pool_dva(&c->pool, from), pool_dva(&c->pool, to), BIG_BYTES);
	}
	cs_end(s);
}

static void test_errors(struct ctx *c)
{
	const struct dev *d = &c->dev;
	struct rnpu_job_result *r;
	struct stream s;
	uint64_t seq;

	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	cs_dma(&s, pool_dva(&c->pool, c->src), pool_dva(&c->pool, c->dst), 64);
	cs_end(&s);
	((struct rnpu_cs_header *)c->stream)->magic = 0x12345678;
	r = run_stream(c, &s, 0, &seq);
	tap_ok(job_failed(c, r, seq, RNPU_ERR_INVALID_CMD, RNPU_IRQ_JOB_ERROR),
	       "stream with a bad magic: INVALID_CMD, JOB_ERROR");
	clear_errors(d);

	big_stream(c, &s, 4);
	r = run_stream(c, &s, 100, &seq);
	tap_ok(job_failed(c, r, seq, RNPU_ERR_WATCHDOG, RNPU_IRQ_WATCHDOG) &&
	       r->cycles >= 100,
	       "job over its own 100-cycle budget: WATCHDOG");
	clear_errors(d);
	wr(d, RNPU_REG_WDOG_CYCLES, 100);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(job_failed(c, r, seq, RNPU_ERR_WATCHDOG, RNPU_IRQ_WATCHDOG),
	       "job over WDOG_CYCLES: WATCHDOG");
	clear_errors(d);
	wr(d, RNPU_REG_WDOG_CYCLES, 0);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(r && r->status == RNPU_ERR_NONE, "same job without a budget completes");
	clear_errors(d);
}

static void test_fault_injection(struct ctx *c)
{
	const struct dev *d = &c->dev;
	uint32_t mhz = rd(d, RNPU_REG_OPP_FREQ), head, st;
	struct rnpu_job_result *r;
	uint64_t seq, done, c0, cyc = 0;
	struct stream s;
	bool waited;

	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	fill(c->src, 256, 9);
	cs_dma(&s, pool_dva(&c->pool, c->src), pool_dva(&c->pool, c->dst), 256);
	cs_end(&s);

	/* DONE_SEQNO carries the corrupted seqno: wait for RING_HEAD instead. */
	wr(d, RNPU_REG_FI_CTRL, RNPU_FI_BAD_SEQNO);
	seq = ring_submit(d, &c->ring, pool_dva(&c->pool, c->stream), s.len, 1, 0);
	waited = wait_head(d, c->ring.tail);
	done = rd64(d, RNPU_REG_DONE_SEQNO_LO);
	tap_ok(waited && done != seq && *c->ring.fence == done,
	       "FI_BAD_SEQNO: job retires with a corrupted seqno (0x%llx for %llu)",
	       (unsigned long long)done, (unsigned long long)seq);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(r && r->status == RNPU_ERR_NONE && *c->ring.fence == seq,
	       "the next job reports its seqno correctly");
	if (r)
		cyc = r->cycles;
	clear_errors(d);

	wr(d, RNPU_REG_FI_CTRL, RNPU_FI_INVALID_CMD);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(job_failed(c, r, seq, RNPU_ERR_INVALID_CMD, RNPU_IRQ_JOB_ERROR) &&
	       rd(d, RNPU_REG_ERR_INFO) == sizeof(struct rnpu_cs_header),
	       "FI_INVALID_CMD: first command fails as invalid");
	clear_errors(d);

	wr64(d, RNPU_REG_FI_ADDR_LO, 0x12345000);
	wr(d, RNPU_REG_FI_CTRL, RNPU_FI_MMU_FAULT);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(job_failed(c, r, seq, RNPU_ERR_MMU_FAULT, RNPU_IRQ_MMU_FAULT) &&
	       rd64(d, RNPU_REG_MMU_FAULT_ADDR_LO) == 0x12345000,
	       "FI_MMU_FAULT: fault reported at FI_ADDR");
	clear_errors(d);

	/*
	 * "Never completes", on the device's clock: the same job took @cyc
	 * cycles a moment ago; wait a thousand times that (at least 10 ms of
	 * device time) and it must still be on the ring.
	 */
	head = rd(d, RNPU_REG_RING_HEAD);
	wr(d, RNPU_REG_FI_CTRL, RNPU_FI_HANG);
	c0 = counter(d, RNPU_CNT_CYCLES);
	seq = ring_submit(d, &c->ring, pool_dva(&c->pool, c->stream), s.len, 1, 0);
	if (cyc < us_cycles(10, mhz))
		cyc = us_cycles(10, mhz);
	waited = wait_cycles(d, c0 + 1000 * cyc);
	st = rd(d, RNPU_REG_STATUS);
	tap_ok(waited && rd64(d, RNPU_REG_DONE_SEQNO_LO) != seq &&
	       (st & (RNPU_STATUS_HUNG | RNPU_STATUS_BUSY)) == (RNPU_STATUS_HUNG | RNPU_STATUS_BUSY) &&
	       rd(d, RNPU_REG_RING_HEAD) == head,
	       "FI_HANG: %llu device cycles later the job has not retired, STATUS shows HUNG|BUSY",
	       (unsigned long long)(1000 * cyc));
	wr(d, RNPU_REG_CTRL, RNPU_CTRL_RESET);
	st = rd(d, RNPU_REG_STATUS);
	tap_ok((st & (RNPU_STATUS_HUNG | RNPU_STATUS_BUSY | RNPU_STATUS_IDLE)) == RNPU_STATUS_IDLE &&
	       rd64(d, RNPU_REG_DONE_SEQNO_LO) == 0 && rd(d, RNPU_REG_RING_SIZE) == 0,
	       "soft reset clears the hang and the ring");
	ring_program(d, &c->pool, &c->ring);
	memset(c->dst, 0, 256);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(r && r->status == RNPU_ERR_NONE && !memcmp(c->src, c->dst, 256),
	       "after reprogramming, jobs run again");
	clear_errors(d);
}

/*
 * A job timed on the device's own clock.  CYCLES counts at OPP_FREQ and a
 * job retires after its modelled cycles at OPP_FREQ, so both are in one
 * unit; the host only decides when the samples are taken.  The poll reads
 * CYCLES, DONE_SEQNO, CYCLES: a DONE_SEQNO that still shows the job
 * running after CYCLES read x proves the job lasted more than x; one that
 * shows it retired, before CYCLES read y, proves it retired within y (both
 * counted from before the doorbell).  Host load can only delay samples,
 * never make a job look shorter than it was.
 */
struct clocked {
	uint64_t cycles;	/* the job's modelled cycles (result record) */
	uint64_t running;	/* still running this many CYCLES after the start */
	uint64_t retired;	/* seen retired by this many */
};

static int clocked_job(struct ctx *c, uint32_t opp, uint32_t len, struct clocked *t)
{
	const struct dev *d = &c->dev;
	double end = now_ms() + WAIT_MS;
	struct rnpu_job_result *r;
	uint64_t seq, c0;

	wr(d, RNPU_REG_OPP_SEL, opp);
	memset(t, 0, sizeof(*t));
	c0 = counter(d, RNPU_CNT_CYCLES);
	seq = ring_submit(d, &c->ring, pool_dva(&c->pool, c->stream), len, 1, 0);
	for (;;) {
		uint64_t before = counter(d, RNPU_CNT_CYCLES) - c0;
		bool done = rd64(d, RNPU_REG_DONE_SEQNO_LO) == seq;
		uint64_t after = counter(d, RNPU_CNT_CYCLES) - c0;

		if (done) {
			t->retired = after;
			break;
		}
		t->running = before;
		if (now_ms() > end)
			return -1;
	}
	__sync_synchronize();
	r = ring_result(&c->ring, seq);
	if (r->status != RNPU_ERR_NONE)
		return -1;
	t->cycles = r->cycles;
	return 0;
}

static void test_dvfs(struct ctx *c)
{
	const struct dev *d = &c->dev;
	uint32_t nopp = rd(d, RNPU_REG_CAP_OPP), lo = 0, hi = nopp - 1;
	uint32_t f_lo = rd(d, RNPU_OPP_FREQ_MHZ(lo)), f_hi = rd(d, RNPU_OPP_FREQ_MHZ(hi));
	double run_lo = 0, ret_hi = -1;	/* microseconds of device time */
	struct clocked one, t_hi, t_lo;
	bool same = true, early = false, failed = false;
	unsigned int k, i;
	struct stream s;

	if (nopp < 2 || f_lo >= f_hi) {
		tap_skip("one operating point", "lower OPP takes longer");
		return;
	}
	wr(d, RNPU_REG_OPP_SEL, lo);
	tap_ok(rd(d, RNPU_REG_OPP_FREQ) == f_lo, "OPP_SEL %u: OPP_FREQ %u MHz", lo, f_lo);

	/* Enough 1 MiB copies for ~20 ms of device time at the lowest OPP. */
	big_stream(c, &s, 1);
	if (clocked_job(c, hi, s.len, &one) || !one.cycles) {
		tap_ok(false, "a 1 MiB copy runs");
		return;
	}
	k = (unsigned int)(us_cycles(20e3, f_lo) / one.cycles) + 1;
	if (k > BIG_CMDS)
		k = BIG_CMDS;
	big_stream(c, &s, k);
	/* Three runs per OPP: the best samples of each. */
	for (i = 0; i < 3 && !failed; i++) {
		failed = clocked_job(c, hi, s.len, &t_hi) || clocked_job(c, lo, s.len, &t_lo);
		if (failed)
			break;
		same &= t_hi.cycles && t_hi.cycles == t_lo.cycles;
		/* cycles * 1000 / MHz ns, truncated: up to one cycle short. */
		early |= t_hi.retired + 1 < t_hi.cycles || t_lo.retired + 1 < t_lo.cycles;
		if ((double)t_lo.running / f_lo > run_lo)
			run_lo = (double)t_lo.running / f_lo;
		if (ret_hi < 0 || (double)t_hi.retired / f_hi < ret_hi)
			ret_hi = (double)t_hi.retired / f_hi;
		tap_diag("%u copies, %llu cycles: at %u MHz retired within %.2f ms, at %u MHz still running at %.2f ms, retired within %.2f ms (device time; model %.2f / %.2f ms)",
			 k, (unsigned long long)t_hi.cycles, f_hi,
			 t_hi.retired / (f_hi * 1e3), f_lo, t_lo.running / (f_lo * 1e3),
			 t_lo.retired / (f_lo * 1e3), t_hi.cycles / (f_hi * 1e3),
			 t_lo.cycles / (f_lo * 1e3));
	}
	tap_ok(!failed && same, "modelled cycles do not depend on the OPP");
	tap_ok(!failed && !early,
	       "no job retires before its modelled cycles passed on CYCLES, at %u and %u MHz",
	       f_hi, f_lo);
	tap_ok(!failed && run_lo > ret_hi,
	       "lower OPP => the job takes longer on the device clock (still running at %.2f ms at %u MHz, retired within %.2f ms at %u MHz)",
	       run_lo / 1e3, f_lo, ret_hi / 1e3, f_hi);
	wr(d, RNPU_REG_OPP_SEL, hi);
	clear_errors(d);
}

static void test_power(struct ctx *c)
{
	const struct dev *d = &c->dev;
	uint32_t top = rd(d, RNPU_REG_CAP_OPP) - 1;
	struct rnpu_job_result *r;
	struct stream s;
	uint64_t seq;

	wr(d, RNPU_REG_OPP_SEL, 0);
	wr(d, RNPU_REG_PWR_CTRL, RNPU_PWR_OFF);
	wr(d, RNPU_REG_RING_SIZE, 64);
	tap_ok(rd(d, RNPU_REG_PWR_STATUS) == RNPU_PWR_OFF &&
	       rd(d, RNPU_REG_ID) == RNPU_ID_MAGIC && rd(d, RNPU_REG_RING_SIZE) == 0 &&
	       rd(d, RNPU_REG_STATUS) == 0,
	       "powered off: identity readable, the rest reads 0 and ignores writes");
	wr(d, RNPU_REG_PWR_CTRL, RNPU_PWR_ON);
	tap_ok(rd(d, RNPU_REG_PWR_STATUS) == RNPU_PWR_ON && rd(d, RNPU_REG_RING_SIZE) == 0 &&
	       rd(d, RNPU_REG_OPP_SEL) == top && rd(d, RNPU_REG_CTRL) == 0 &&
	       counter(d, RNPU_CNT_JOBS) == 0 && rd(d, RNPU_CTX_CFG(1)) == 0,
	       "power on: state was lost (ring, contexts, OPP, counters)");
	ring_program(d, &c->pool, &c->ring);
	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	cs_dma(&s, pool_dva(&c->pool, c->src), pool_dva(&c->pool, c->dst), 512);
	cs_end(&s);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(r && r->status == RNPU_ERR_NONE, "jobs run after the power cycle");
	clear_errors(d);
}

/* Wait for one interrupt on /dev/uioN; 0 ms: only one already counted. */
static bool got_irq(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint32_t count;

	if (poll(&p, 1, timeout_ms) != 1)
		return false;
	return read(fd, &count, sizeof(count)) == sizeof(count);
}

/*
 * Interrupt delivery, through uio_pci_generic and INTx (no MSI-X without a
 * driver).  The device drives INTx in the same register access or timer
 * callback that changes IRQ_STATUS or IRQ_MASK, and PCI_STATUS.INTERRUPT
 * shows its level, so "does not interrupt" is read from the line itself,
 * not inferred from a quiet wait.
 */
static void test_intx(struct ctx *c)
{
	const struct dev *d = &c->dev;
	struct rnpu_job_result *r;
	struct stream s;
	uint64_t seq;
	bool line;
	int fd = uio_bind(&c->dev);

	if (fd < 0) {
		tap_ok(false, "bind uio_pci_generic to wait for INTx");
		return;
	}
	clear_errors(d);
	intx_unmask(d);
	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	cs_dma(&s, pool_dva(&c->pool, c->src), pool_dva(&c->pool, c->dst), 512);
	cs_end(&s);

	wr(d, RNPU_REG_IRQ_MASK, RNPU_IRQ_JOB_DONE);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(r && intx_asserted(d) && got_irq(fd, WAIT_MS), "JOB_DONE interrupts when unmasked");
	wr(d, RNPU_REG_IRQ_CLEAR, ~0u);
	tap_ok(!intx_asserted(d), "IRQ_CLEAR drops INTx");
	intx_unmask(d);

	wr(d, RNPU_REG_IRQ_MASK, RNPU_IRQ_MMU_FAULT);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(r && (rd(d, RNPU_REG_IRQ_STATUS) & RNPU_IRQ_JOB_DONE) && !intx_asserted(d) &&
	       !got_irq(fd, 0),
	       "a masked cause is latched but does not assert INTx");
	wr(d, RNPU_REG_IRQ_MASK, RNPU_IRQ_MMU_FAULT | RNPU_IRQ_JOB_DONE);
	line = intx_asserted(d);
	tap_ok(line && got_irq(fd, WAIT_MS), "unmasking a pending cause interrupts");
	wr(d, RNPU_REG_IRQ_MASK, RNPU_IRQ_MMU_FAULT);
	wr(d, RNPU_REG_IRQ_CLEAR, ~0u);
	intx_unmask(d);

	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	cs_dma(&s, DEV_VA_BASE + 0x10000000, pool_dva(&c->pool, c->dst), 64);
	cs_end(&s);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(r && r->status == RNPU_ERR_MMU_FAULT && intx_asserted(d) && got_irq(fd, WAIT_MS),
	       "MMU_FAULT interrupts");
	wr(d, RNPU_REG_IRQ_MASK, 0);
	clear_errors(d);
	uio_unbind(&c->dev, fd);
}

/*
 * A job that never finishes keeps the device busy at the top operating
 * point: it heats towards ~86 °C with a 2 s time constant and must cross
 * the 85 °C trip point, raising THERMAL; once reset it cools again.
 *
 * Waits are on the events (THERMAL, the temperature falling), polled with
 * a host bound.  Elapsed time is CYCLES at the fixed top OPP.  Cooling is
 * checked against the model: first order towards a target no lower than
 * ambient (35 °C) with tau = 2 s, so after x seconds of device time the die
 * is at least 35 + (T0 - 35) * exp(-x / 2); every sample must respect that.
 * Reading TEMP advances the thermal model (and raises THERMAL).
 */
#define THERMAL_TAU_S	2.0
#define AMBIENT_MC	35000.0
#define POLL_US		10000	/* poll interval only: every wait ends on its event */

static void test_thermal(struct ctx *c)
{
	const struct dev *d = &c->dev;
	uint32_t top = rd(d, RNPU_REG_CAP_OPP) - 1, mhz = rd(d, RNPU_OPP_FREQ_MHZ(top));
	uint32_t t0, t1 = 0, t2 = 0, hot = 0;
	uint64_t c0, c1, c2, x;
	bool cooled = false, too_fast = false;
	double end, floor_mc = 0, worst = 0;
	struct stream s;

	wr(d, RNPU_REG_OPP_SEL, top);
	clear_errors(d);
	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	cs_dma(&s, pool_dva(&c->pool, c->src), pool_dva(&c->pool, c->dst), 64);
	cs_end(&s);
	t0 = rd(d, RNPU_REG_TEMP);
	wr(d, RNPU_REG_FI_CTRL, RNPU_FI_HANG);
	c0 = counter(d, RNPU_CNT_CYCLES);
	ring_submit(d, &c->ring, pool_dva(&c->pool, c->stream), s.len, 1, 0);
	end = now_ms() + 2 * WAIT_MS;
	for (;;) {
		t1 = rd(d, RNPU_REG_TEMP);
		hot = rd(d, RNPU_REG_IRQ_STATUS) & RNPU_IRQ_THERMAL;
		if (hot || now_ms() > end)
			break;
		usleep(POLL_US);
	}
	c1 = counter(d, RNPU_CNT_CYCLES);
	tap_ok(hot && t1 >= 85000 && t1 > t0,
	       "sustained load heats the die past 85 °C and raises THERMAL (%u -> %u m°C in %.2f s of device time)",
	       t0, t1, (double)(c1 - c0) / mhz / 1e6);

	/* Still heating: the die is at least at t1 when the reset lands. */
	t1 = rd(d, RNPU_REG_TEMP);
	c1 = counter(d, RNPU_CNT_CYCLES);
	wr(d, RNPU_REG_CTRL, RNPU_CTRL_RESET);
	end = now_ms() + 2 * WAIT_MS;
	for (;;) {
		t2 = rd(d, RNPU_REG_TEMP);
		c2 = counter(d, RNPU_CNT_CYCLES);	/* after the sample: x only grows */
		x = c2 - c1;
		/* Rounded m°C readings: one m°C of slack on each side. */
		floor_mc = AMBIENT_MC + (t1 - 1 - AMBIENT_MC) * exp(-(double)x / mhz / 1e6 / THERMAL_TAU_S);
		if (t2 + 1 < floor_mc) {
			too_fast = true;
			worst = floor_mc;
		}
		cooled = t2 + 5000 < t1;
		if (cooled || too_fast || now_ms() > end)
			break;
		usleep(POLL_US);
	}
	tap_ok(cooled && !too_fast,
	       "idle after reset it cools, no faster than tau = 2 s towards 35 °C allows (%u -> %u m°C in %.3f s of device time%s)",
	       t1, t2, (double)x / mhz / 1e6, too_fast ? ", below the model's floor" : "");
	if (too_fast)
		tap_diag("at %.3f s: %u m°C, the model allows no less than %.0f m°C",
			 (double)x / mhz / 1e6, t2, worst);
	wr(d, RNPU_REG_IRQ_CLEAR, ~0u);
	ring_program(d, &c->pool, &c->ring);
}

static int setup_memory(struct ctx *c)
{
	struct pool *p = &c->pool;

	if (pool_init(p, 1024))
		return -1;
	if (ring_setup(&c->dev, p, &c->ring))
		return -1;
	c->stream = pool_alloc(p, 4 * RNPU_PAGE_SIZE);
	c->src = pool_alloc(p, 3 * RNPU_PAGE_SIZE);
	c->dst = pool_alloc(p, 3 * RNPU_PAGE_SIZE);
	c->a = pool_alloc(p, RNPU_PAGE_SIZE);
	c->b = pool_alloc(p, RNPU_PAGE_SIZE);
	c->out = pool_alloc(p, RNPU_PAGE_SIZE);
	c->tlbpage = pool_alloc(p, RNPU_PAGE_SIZE);
	c->bypass_src = pool_alloc(p, RNPU_PAGE_SIZE);
	c->bypass_dst = pool_alloc(p, RNPU_PAGE_SIZE);
	c->big_a = pool_alloc(p, BIG_BYTES);
	c->big_b = pool_alloc(p, BIG_BYTES);
	c->ro = pool_alloc(p, RNPU_PAGE_SIZE);
	if (!c->ro)
		return -1;
	/* Everything before the read-only page is read/write. */
	if (pt_map(p, p->va, c->ro - p->va, RNPU_PTE_READ | RNPU_PTE_WRITE) ||
	    pt_map(p, c->ro, RNPU_PAGE_SIZE, RNPU_PTE_READ))
		return -1;
	return 0;
}

int main(void)
{
	static struct ctx c;
	bool found;

	setvbuf(stdout, NULL, _IOLBF, 0);
	found = dev_open(&c.dev) == 0;
	tap_ok(found, "rnpu %04x:%04x found and BAR0 mapped (%s)",
	       RNPU_PCI_VENDOR_ID, RNPU_PCI_DEVICE_ID, found ? c.dev.bdf : "absent");
	if (!found)
		return tap_done();
	D = &c.dev;
	if (c.dev.driver[0])
		tap_diag("unbound driver %s for the duration of the test", c.dev.driver);
	/* A driver may have left it powered off (runtime PM). */
	wr(D, RNPU_REG_PWR_CTRL, RNPU_PWR_ON);
	tap_ok(c.dev.class_code >> 8 == RNPU_PCI_CLASS && c.dev.revision == RNPU_PCI_REVISION,
	       "class 0x%06x revision %u", c.dev.class_code, c.dev.revision);

	test_identity(&c);
	test_control(&c);
	if (setup_memory(&c)) {
		tap_ok(false, "allocate locked DMA memory and page tables");
		dev_close(&c.dev);
		return tap_done();
	}
	ring_program(&c.dev, &c.pool, &c.ring);
	test_jobs(&c);
	test_mmu(&c);
	test_errors(&c);
	test_fault_injection(&c);
	test_dvfs(&c);
	test_thermal(&c);
	test_power(&c);
	test_intx(&c);

	/* Leave the device as reset left it for the driver. */
	wr(&c.dev, RNPU_REG_CTRL, RNPU_CTRL_RESET);
	wr(&c.dev, RNPU_REG_PERF_CTRL, 1);
	dev_close(&c.dev);
	return tap_done();
}
