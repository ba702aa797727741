// SPDX-License-Identifier: MIT
/* Command-stream building and job ring handling for the device tests. */
#include <string.h>
#include <time.h>

#include "devtest.h"

#define F32_ONE	0x3f800000u

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct rnpu_tensor_desc td_i8(uint64_t va, uint32_t n)
{
	struct rnpu_tensor_desc t;

	memset(&t, 0, sizeof(t));
	t.va = va;
	t.dims[0] = n;
	t.dims[1] = t.dims[2] = t.dims[3] = 1;
	t.strides[0] = 1;
	t.dtype = RNPU_DT_INT8;
	t.rank = 1;
	t.scale = F32_ONE;
	return t;
}

void cs_begin(struct stream *s, void *buf, uint32_t cap)
{
	s->buf = buf;
	s->cap = cap;
	s->len = sizeof(struct rnpu_cs_header);
	memset(buf, 0, cap);
}

static void *cs_put(struct stream *s, uint16_t opcode, uint16_t size)
{
	struct rnpu_cmd_hdr *h = (void *)(s->buf + s->len);
	struct rnpu_cs_header *hdr = (void *)s->buf;

	if (s->len + size > s->cap)
		return NULL;
	h->opcode = opcode;
	h->size = size;
	s->len += size;
	hdr->num_cmds++;
	return h;
}

void cs_dma(struct stream *s, uint64_t src, uint64_t dst, uint32_t n)
{
	struct rnpu_cmd_dma *c = cs_put(s, RNPU_OP_DMA, sizeof(*c));

	if (!c)
		return;
	c->src = td_i8(src, n);
	c->dst = td_i8(dst, n);
}

void cs_add(struct stream *s, uint64_t a, uint64_t b, uint64_t out, uint32_t n)
{
	struct rnpu_cmd_eltwise *c = cs_put(s, RNPU_OP_ELTWISE, sizeof(*c));

	if (!c)
		return;
	c->op = RNPU_ELT_ADD;
	c->act.func = RNPU_ACT_NONE;
	c->a = td_i8(a, n);
	c->b = td_i8(b, n);
	c->out = td_i8(out, n);
}

void cs_end(struct stream *s)
{
	struct rnpu_cs_header *h = (void *)s->buf;

	h->magic = RNPU_CS_MAGIC;
	h->version = RNPU_CS_VERSION;
	h->header_size = sizeof(*h);
	h->total_size = s->len;
}

int ring_setup(const struct dev *d, struct pool *p, struct ring *r)
{
	(void)d;
	memset(r, 0, sizeof(*r));
	r->size = 16;
	r->desc = pool_alloc(p, r->size * sizeof(*r->desc));
	r->res = pool_alloc(p, r->size * sizeof(*r->res));
	r->fence = pool_alloc(p, RNPU_PAGE_SIZE);
	if (!r->desc || !r->res || !r->fence)
		return -1;
	r->res_pa = pool_pa(p, r->res);
	return 0;
}

void ring_program(const struct dev *d, struct pool *p, struct ring *r)
{
	wr64(d, RNPU_REG_RING_BASE_LO, pool_pa(p, r->desc));
	wr(d, RNPU_REG_RING_SIZE, r->size);
	wr(d, RNPU_REG_RING_TAIL, 0);
	r->tail = 0;
	wr64(d, RNPU_REG_FENCE_LO, pool_pa(p, (const void *)r->fence));
	wr(d, RNPU_CTX_CFG(0), RNPU_CTX_CFG_VALID | RNPU_CTX_CFG_BYPASS);
	wr64(d, RNPU_CTX_PT_LO(1), p->root_pa);
	wr(d, RNPU_CTX_CFG(1), RNPU_CTX_CFG_VALID);
	wr(d, RNPU_REG_MMU_TLB_INV, RNPU_TLB_INV_ALL);
	wr(d, RNPU_REG_CTRL, RNPU_CTRL_ENABLE);
}

uint64_t ring_submit(const struct dev *d, struct ring *r, uint64_t cmd,
		     uint32_t size, uint16_t asid, uint32_t budget)
{
	struct rnpu_job_desc *j = &r->desc[r->tail];
	uint64_t seqno = ++r->seqno;
	struct rnpu_job_result *res = ring_result(r, seqno);

	memset(res, 0xff, sizeof(*res));
	memset(j, 0, sizeof(*j));
	j->seqno = seqno;
	j->cmd_va = cmd;
	j->cmd_size = size;
	j->asid = asid;
	j->flags = RNPU_JOB_F_IRQ;
	j->budget = budget;
	j->result_addr = r->res_pa + (uint64_t)((uint8_t *)res - (uint8_t *)r->res);
	r->tail = (r->tail + 1) % r->size;
	__sync_synchronize();
	wr(d, RNPU_REG_RING_TAIL, r->tail);
	wr(d, RNPU_REG_DOORBELL, 1);
	return seqno;
}

int ring_wait(const struct dev *d, uint64_t seqno, int timeout_ms)
{
	double end = now_ms() + timeout_ms;

	do {
		if (rd64(d, RNPU_REG_DONE_SEQNO_LO) == seqno)
			return 0;
	} while (now_ms() < end);
	return -1;
}

struct rnpu_job_result *ring_result(struct ring *r, uint64_t seqno)
{
	return &r->res[seqno % r->size];
}
