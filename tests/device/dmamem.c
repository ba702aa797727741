// SPDX-License-Identifier: MIT
/*
 * DMA-able memory for a driverless test: locked anonymous pages whose bus
 * addresses (== guest physical, no IOMMU) come from /proc/self/pagemap,
 * plus context 1's page tables built in those pages.  Pool page i is
 * mapped at device VA DEV_VA_BASE + i * 4096.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devtest.h"

#define PM_PRESENT	(1ull << 63)
#define PM_PFN_MASK	((1ull << 55) - 1)

int pool_init(struct pool *p, size_t npages)
{
	size_t bytes = npages * RNPU_PAGE_SIZE, i;
	int fd;

	memset(p, 0, sizeof(*p));
	p->va = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p->va == MAP_FAILED)
		return -1;
	if (mlock(p->va, bytes))
		return -1;
	memset(p->va, 0, bytes);
	p->pa = calloc(npages, sizeof(*p->pa));
	if (!p->pa)
		return -1;
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return -1;
	for (i = 0; i < npages; i++) {
		uint64_t e;
		off_t off = ((uintptr_t)p->va / RNPU_PAGE_SIZE + i) * sizeof(e);

		if (pread(fd, &e, sizeof(e), off) != sizeof(e) ||
		    !(e & PM_PRESENT) || !(e & PM_PFN_MASK)) {
			close(fd);
			return -1;
		}
		p->pa[i] = (e & PM_PFN_MASK) * RNPU_PAGE_SIZE;
	}
	close(fd);
	p->npages = npages;
	p->root = pool_alloc(p, RNPU_PAGE_SIZE);
	if (!p->root)
		return -1;
	p->root_pa = pool_pa(p, p->root);
	return 0;
}

void *pool_alloc(struct pool *p, size_t bytes)
{
	size_t pages = (bytes + RNPU_PAGE_SIZE - 1) / RNPU_PAGE_SIZE;
	void *r;

	if (p->next + pages > p->npages)
		return NULL;
	r = p->va + p->next * RNPU_PAGE_SIZE;
	p->next += pages;
	memset(r, 0, pages * RNPU_PAGE_SIZE);
	return r;
}

uint64_t pool_pa(const struct pool *p, const void *ptr)
{
	size_t off = (const uint8_t *)ptr - p->va;

	return p->pa[off / RNPU_PAGE_SIZE] + off % RNPU_PAGE_SIZE;
}

uint64_t pool_dva(const struct pool *p, const void *ptr)
{
	return DEV_VA_BASE + ((const uint8_t *)ptr - p->va);
}

static uint64_t *table_of(struct pool *p, uint64_t pte, bool create,
			  uint64_t *slot)
{
	uint64_t *t;
	size_t i;

	if (pte & RNPU_PTE_VALID) {
		for (i = 0; i < p->npages; i++) {
			if (p->pa[i] == (pte & RNPU_PTE_ADDR_MASK))
				return (uint64_t *)(p->va + i * RNPU_PAGE_SIZE);
		}
		return NULL;
	}
	if (!create)
		return NULL;
	t = pool_alloc(p, RNPU_PAGE_SIZE);
	if (!t)
		return NULL;
	*slot = pool_pa(p, t) | RNPU_PTE_VALID;
	return t;
}

int pt_map(struct pool *p, const void *ptr, size_t bytes, uint64_t rights)
{
	uint64_t va = pool_dva(p, ptr) & ~(uint64_t)(RNPU_PAGE_SIZE - 1);
	uint64_t end = pool_dva(p, ptr) + bytes;

	for (; va < end; va += RNPU_PAGE_SIZE) {
		uint64_t *l1, *l2, *pte;
		const void *page = p->va + (va - DEV_VA_BASE);

		l1 = table_of(p, p->root[RNPU_PT_INDEX(va, 0)], rights != 0,
			      &p->root[RNPU_PT_INDEX(va, 0)]);
		if (!l1)
			return rights ? -1 : 0;
		l2 = table_of(p, l1[RNPU_PT_INDEX(va, 1)], rights != 0,
			      &l1[RNPU_PT_INDEX(va, 1)]);
		if (!l2)
			return rights ? -1 : 0;
		pte = &l2[RNPU_PT_INDEX(va, 2)];
		*pte = rights ? (pool_pa(p, page) | RNPU_PTE_VALID | rights) : 0;
	}
	__sync_synchronize();
	return 0;
}
