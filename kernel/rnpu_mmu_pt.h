/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rnpu device page tables: pure construction logic, no register access,
 * so KUnit can drive it with its own table allocator.
 */
#ifndef RNPU_MMU_PT_H
#define RNPU_MMU_PT_H

#include <linux/bits.h>
#include <linux/types.h>

struct rnpu_pt_node;

/*
 * Table pages come from the caller: the driver hands out DMA-coherent
 * pages, a test hands out kmalloc()ed ones with fake bus addresses.
 * alloc() returns a zeroed RNPU_PAGE_SIZE table and its bus address.
 */
struct rnpu_pt_ops {
	void *(*alloc)(void *priv, dma_addr_t *dma);
	void (*free)(void *priv, void *cpu, dma_addr_t dma);
};

struct rnpu_pt {
	const struct rnpu_pt_ops *ops;
	void *priv;
	struct rnpu_pt_node *root;
	unsigned int tables;	/* table pages currently allocated */
};

#define RNPU_PT_PROT_READ	BIT(0)
#define RNPU_PT_PROT_WRITE	BIT(1)

u64 rnpu_pt_make_pte(dma_addr_t pa, u32 prot);
int rnpu_pt_init(struct rnpu_pt *pt, const struct rnpu_pt_ops *ops, void *priv);
void rnpu_pt_fini(struct rnpu_pt *pt);
dma_addr_t rnpu_pt_root(const struct rnpu_pt *pt);
int rnpu_pt_map(struct rnpu_pt *pt, u64 va, dma_addr_t pa, u64 size, u32 prot);
u64 rnpu_pt_unmap(struct rnpu_pt *pt, u64 va, u64 size);
int rnpu_pt_lookup(const struct rnpu_pt *pt, u64 va, u64 *pte);

#endif /* RNPU_MMU_PT_H */
