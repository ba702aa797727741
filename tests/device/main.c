// SPDX-License-Identifier: MIT
/*
 * rnpu-devtest: driverless tests of the rnpu QEMU device, run inside the
 * test guest (tests/vm.d/10-device.test).  Prints TAP.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devtest.h"

#define BIG_BYTES	(1u << 20)	/* per buffer of the DVFS job */
#define BIG_CMDS	64	/* most copies in one stream (4 pages) */
#define WAIT_MS		5000

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
	double end;
	uint64_t c0, c1;
	double t0, t1, ratio;
	uint32_t mhz, temp;

	wr(d, RNPU_REG_CTRL, RNPU_CTRL_RESET);
	end = now_ms() + 100;
	while ((rd(d, RNPU_REG_CTRL) & RNPU_CTRL_RESET) && now_ms() < end)
		;
	tap_ok(!(rd(d, RNPU_REG_CTRL) & RNPU_CTRL_RESET) &&
	       (rd(d, RNPU_REG_STATUS) & (RNPU_STATUS_IDLE | RNPU_STATUS_BUSY)) == RNPU_STATUS_IDLE,
	       "soft reset completes and the device is idle");

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
	wr(d, RNPU_REG_CTRL, 0);
	tap_ok(!(rd(d, RNPU_REG_STATUS) & RNPU_STATUS_GATED),
	       "and run again without it");

	temp = rd(d, RNPU_REG_TEMP);
	tap_ok(temp > 0 && temp < 150000, "TEMP plausible: %u m°C", temp);

	mhz = rd(d, RNPU_REG_OPP_FREQ);
	t0 = now_ms();
	c0 = counter(d, RNPU_CNT_CYCLES);
	usleep(20000);
	c1 = counter(d, RNPU_CNT_CYCLES);
	t1 = now_ms();
	ratio = (double)(c1 - c0) / ((t1 - t0) * 1e3 * mhz);
	tap_ok(mhz == rd(d, RNPU_OPP_FREQ_MHZ(rd(d, RNPU_REG_OPP_SEL))) &&
	       ratio > 0.5 && ratio < 2.0,
	       "CYCLES counts at OPP_FREQ %u MHz while idle (%.2f of expected)",
	       mhz, ratio);
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
	struct rnpu_job_result *r;
	struct stream s;
	uint64_t seq, done;
	uint32_t head, st;

	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	fill(c->src, 256, 9);
	cs_dma(&s, pool_dva(&c->pool, c->src), pool_dva(&c->pool, c->dst), 256);
	cs_end(&s);

	wr(d, RNPU_REG_FI_CTRL, RNPU_FI_BAD_SEQNO);
	seq = ring_submit(d, &c->ring, pool_dva(&c->pool, c->stream), s.len, 1, 0);
	usleep(100000);
	done = rd64(d, RNPU_REG_DONE_SEQNO_LO);
	tap_ok(done != seq && *c->ring.fence == done && rd(d, RNPU_REG_RING_HEAD) == c->ring.tail,
	       "FI_BAD_SEQNO: job retires with a corrupted seqno (0x%llx for %llu)",
	       (unsigned long long)done, (unsigned long long)seq);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(r && r->status == RNPU_ERR_NONE && *c->ring.fence == seq,
	       "the next job reports its seqno correctly");
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

	head = rd(d, RNPU_REG_RING_HEAD);
	wr(d, RNPU_REG_FI_CTRL, RNPU_FI_HANG);
	seq = ring_submit(d, &c->ring, pool_dva(&c->pool, c->stream), s.len, 1, 0);
	usleep(300000);
	st = rd(d, RNPU_REG_STATUS);
	tap_ok(rd64(d, RNPU_REG_DONE_SEQNO_LO) != seq &&
	       (st & (RNPU_STATUS_HUNG | RNPU_STATUS_BUSY)) == (RNPU_STATUS_HUNG | RNPU_STATUS_BUSY) &&
	       rd(d, RNPU_REG_RING_HEAD) == head,
	       "FI_HANG: job never completes, STATUS shows HUNG|BUSY");
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
 * Time a job from before its doorbell to the guest seeing DONE_SEQNO.
 * Starting before the doorbell includes the host time the model takes, but
 * makes the figure a hard upper bound on nothing and a lower bound on the
 * modelled time: the job can never be seen to finish early.  Host load can
 * only add time, so the best of a few runs is used.
 */
static double timed_job(struct ctx *c, uint32_t opp, uint32_t len, uint64_t *cycles)
{
	const struct dev *d = &c->dev;
	double best = -1;
	uint64_t seq;
	int i;

	wr(d, RNPU_REG_OPP_SEL, opp);
	*cycles = 0;
	for (i = 0; i < 3; i++) {
		double t0 = now_ms(), t;

		seq = ring_submit(d, &c->ring, pool_dva(&c->pool, c->stream), len, 1, 0);
		if (ring_wait(d, seq, WAIT_MS))
			return -1;
		t = now_ms() - t0;
		if (ring_result(&c->ring, seq)->status != RNPU_ERR_NONE)
			return -1;
		*cycles = ring_result(&c->ring, seq)->cycles;
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

static void test_dvfs(struct ctx *c)
{
	const struct dev *d = &c->dev;
	uint32_t nopp = rd(d, RNPU_REG_CAP_OPP), lo = 0, hi = nopp - 1;
	uint32_t f_lo = rd(d, RNPU_OPP_FREQ_MHZ(lo)), f_hi = rd(d, RNPU_OPP_FREQ_MHZ(hi));
	uint64_t cyc_hi = 0, cyc_lo = 0, one;
	double t_hi, t_lo, ns_lo, ns_hi;
	unsigned int k;
	struct stream s;

	if (nopp < 2 || f_lo >= f_hi) {
		tap_skip("one operating point", "lower OPP takes longer");
		return;
	}
	wr(d, RNPU_REG_OPP_SEL, lo);
	tap_ok(rd(d, RNPU_REG_OPP_FREQ) == f_lo, "OPP_SEL %u: OPP_FREQ %u MHz", lo, f_lo);

	/* Enough 1 MiB copies for ~20 ms at the lowest OPP. */
	big_stream(c, &s, 1);
	timed_job(c, hi, s.len, &one);
	k = one ? (unsigned int)(20e3 * f_lo / one) + 1 : 1;
	if (k > BIG_CMDS)
		k = BIG_CMDS;
	big_stream(c, &s, k);
	t_hi = timed_job(c, hi, s.len, &cyc_hi);
	t_lo = timed_job(c, lo, s.len, &cyc_lo);
	ns_lo = (double)cyc_lo / f_lo / 1e3;
	ns_hi = (double)cyc_hi / f_hi / 1e3;
	tap_diag("%u copies, %llu cycles: %.2f ms at %u MHz (model %.2f), %.2f ms at %u MHz (model %.2f)",
		 k, (unsigned long long)cyc_hi, t_hi, f_hi, ns_hi, t_lo, f_lo, ns_lo);
	tap_ok(cyc_hi && cyc_hi == cyc_lo, "modelled cycles do not depend on the OPP");
	tap_ok(t_hi >= 0.95 * ns_hi && t_lo >= 0.95 * ns_lo,
	       "no job completes before its modelled time");
	tap_ok(t_hi > 0 && t_lo - t_hi >= 0.5 * (ns_lo - ns_hi),
	       "lower OPP => the job takes longer on the virtual clock");
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

/* Wait for one interrupt on /dev/uioN. */
static bool got_irq(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint32_t count;

	if (poll(&p, 1, timeout_ms) != 1)
		return false;
	return read(fd, &count, sizeof(count)) == sizeof(count);
}

/* Interrupt delivery, through uio_pci_generic and INTx (no MSI-X without a driver). */
static void test_intx(struct ctx *c)
{
	const struct dev *d = &c->dev;
	struct rnpu_job_result *r;
	struct stream s;
	uint64_t seq;
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
	tap_ok(r && got_irq(fd, 2000), "JOB_DONE interrupts when unmasked");
	wr(d, RNPU_REG_IRQ_CLEAR, ~0u);
	intx_unmask(d);

	wr(d, RNPU_REG_IRQ_MASK, RNPU_IRQ_MMU_FAULT);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(r && !got_irq(fd, 300) && (rd(d, RNPU_REG_IRQ_STATUS) & RNPU_IRQ_JOB_DONE),
	       "a masked cause is latched but does not interrupt");
	wr(d, RNPU_REG_IRQ_MASK, RNPU_IRQ_MMU_FAULT | RNPU_IRQ_JOB_DONE);
	tap_ok(got_irq(fd, 2000), "unmasking a pending cause interrupts");
	wr(d, RNPU_REG_IRQ_MASK, RNPU_IRQ_MMU_FAULT);
	wr(d, RNPU_REG_IRQ_CLEAR, ~0u);
	intx_unmask(d);

	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	cs_dma(&s, DEV_VA_BASE + 0x10000000, pool_dva(&c->pool, c->dst), 64);
	cs_end(&s);
	r = run_stream(c, &s, 0, &seq);
	tap_ok(r && r->status == RNPU_ERR_MMU_FAULT && got_irq(fd, 2000),
	       "MMU_FAULT interrupts");
	wr(d, RNPU_REG_IRQ_MASK, 0);
	clear_errors(d);
	uio_unbind(&c->dev, fd);
}

/*
 * A job that never finishes keeps the device busy at the top operating
 * point: it heats towards ~86 °C with a 2 s time constant and must cross
 * the 85 °C trip point, raising THERMAL; once reset it cools again.
 */
static void test_thermal(struct ctx *c)
{
	const struct dev *d = &c->dev;
	uint32_t top = rd(d, RNPU_REG_CAP_OPP) - 1, t0, t1, t2;
	struct stream s;
	double end;

	wr(d, RNPU_REG_OPP_SEL, top);
	clear_errors(d);
	cs_begin(&s, c->stream, 4 * RNPU_PAGE_SIZE);
	cs_dma(&s, pool_dva(&c->pool, c->src), pool_dva(&c->pool, c->dst), 64);
	cs_end(&s);
	t0 = rd(d, RNPU_REG_TEMP);
	wr(d, RNPU_REG_FI_CTRL, RNPU_FI_HANG);
	ring_submit(d, &c->ring, pool_dva(&c->pool, c->stream), s.len, 1, 0);
	end = now_ms() + 20000;
	while (!(rd(d, RNPU_REG_IRQ_STATUS) & RNPU_IRQ_THERMAL) && now_ms() < end)
		usleep(100000);
	t1 = rd(d, RNPU_REG_TEMP);
	tap_ok((rd(d, RNPU_REG_IRQ_STATUS) & RNPU_IRQ_THERMAL) && t1 >= 85000 && t1 > t0,
	       "sustained load heats the die past 85 °C and raises THERMAL (%u -> %u m°C)",
	       t0, t1);
	wr(d, RNPU_REG_CTRL, RNPU_CTRL_RESET);
	usleep(500000);
	t2 = rd(d, RNPU_REG_TEMP);
	tap_ok(t2 < t1 - 5000, "idle after reset, it cools (%u m°C after 0.5 s)", t2);
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
