// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu device page tables (hw/include/rnpu_regs.h): three levels of 512
 * little-endian 64-bit entries, 4 KiB pages, 39-bit VA.
 *
 * Pure logic: tables come from the caller's rnpu_pt_ops and nothing here
 * touches the device, so the KUnit suite can check every entry written.
 * The caller serializes calls on one rnpu_pt and invalidates the device
 * TLB after unmapping.
 */
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <asm/byteorder.h>

#include "rnpu_regs.h"
#include "rnpu_mmu_pt.h"

/*
 * A table page plus a CPU-side shadow of its children: the device entries
 * hold bus addresses, which the CPU cannot follow back to the tables.
 */
struct rnpu_pt_node {
	__le64 *cpu;
	dma_addr_t dma;
	unsigned int used;		/* valid entries */
	struct rnpu_pt_node *child[];	/* levels 0 and 1 only */
};

#define RNPU_PT_LEAF_LEVEL	(RNPU_PT_LEVELS - 1)
#define RNPU_PT_PROT_ALL	(RNPU_PT_PROT_READ | RNPU_PT_PROT_WRITE)

static unsigned int level_shift(unsigned int lvl)
{
	return RNPU_PAGE_SHIFT + 9 * (RNPU_PT_LEAF_LEVEL - lvl);
}

u64 rnpu_pt_make_pte(dma_addr_t pa, u32 prot)
{
	u64 pte = ((u64)pa & RNPU_PTE_ADDR_MASK) | RNPU_PTE_VALID;

	if (prot & RNPU_PT_PROT_READ)
		pte |= RNPU_PTE_READ;
	if (prot & RNPU_PT_PROT_WRITE)
		pte |= RNPU_PTE_WRITE;
	return pte;
}

static struct rnpu_pt_node *node_alloc(struct rnpu_pt *pt, unsigned int lvl)
{
	size_t n = lvl < RNPU_PT_LEAF_LEVEL ? RNPU_PT_ENTRIES : 0;
	struct rnpu_pt_node *node;

	node = kzalloc(struct_size(node, child, n), GFP_KERNEL_ACCOUNT);
	if (!node)
		return NULL;
	node->cpu = pt->ops->alloc(pt->priv, &node->dma);
	if (!node->cpu) {
		kfree(node);
		return NULL;
	}
	pt->tables++;
	return node;
}

static void node_free(struct rnpu_pt *pt, struct rnpu_pt_node *node,
		      unsigned int lvl)
{
	unsigned int i;

	if (lvl < RNPU_PT_LEAF_LEVEL) {
		for (i = 0; i < RNPU_PT_ENTRIES; i++) {
			if (node->child[i])
				node_free(pt, node->child[i], lvl + 1);
		}
	}
	pt->ops->free(pt->priv, node->cpu, node->dma);
	pt->tables--;
	kfree(node);
}

static void set_entry(struct rnpu_pt_node *node, unsigned int idx, u64 val)
{
	WRITE_ONCE(node->cpu[idx], cpu_to_le64(val));
}

int rnpu_pt_init(struct rnpu_pt *pt, const struct rnpu_pt_ops *ops, void *priv)
{
	pt->ops = ops;
	pt->priv = priv;
	pt->tables = 0;
	pt->root = node_alloc(pt, 0);
	return pt->root ? 0 : -ENOMEM;
}

void rnpu_pt_fini(struct rnpu_pt *pt)
{
	if (pt->root)
		node_free(pt, pt->root, 0);
	pt->root = NULL;
}

dma_addr_t rnpu_pt_root(const struct rnpu_pt *pt)
{
	return pt->root->dma;
}

static bool range_ok(u64 va, u64 size)
{
	u64 end;

	if (!size || (va | size) & (RNPU_PAGE_SIZE - 1))
		return false;
	if (check_add_overflow(va, size, &end))
		return false;
	return end <= BIT_ULL(RNPU_VA_BITS);
}

/* Leaf table for @va, created on the way down when @create is set. */
static struct rnpu_pt_node *walk(struct rnpu_pt *pt, u64 va, bool create,
				 unsigned int *stop_lvl)
{
	struct rnpu_pt_node *node = pt->root;
	unsigned int lvl;

	for (lvl = 0; lvl < RNPU_PT_LEAF_LEVEL; lvl++) {
		unsigned int idx = RNPU_PT_INDEX(va, lvl);
		struct rnpu_pt_node *next = node->child[idx];

		if (!next) {
			if (!create) {
				*stop_lvl = lvl;
				return NULL;
			}
			next = node_alloc(pt, lvl + 1);
			if (!next) {
				*stop_lvl = lvl;
				return NULL;
			}
			node->child[idx] = next;
			node->used++;
			set_entry(node, idx, (next->dma & RNPU_PTE_ADDR_MASK) |
					     RNPU_PTE_VALID);
		}
		node = next;
	}
	*stop_lvl = RNPU_PT_LEAF_LEVEL;
	return node;
}

/* Drop empty tables on the path to @va, bottom up. */
static void prune(struct rnpu_pt *pt, u64 va)
{
	struct rnpu_pt_node *path[RNPU_PT_LEVELS];
	unsigned int lvl, depth = 0;

	path[0] = pt->root;
	for (lvl = 1; lvl < RNPU_PT_LEVELS; lvl++) {
		path[lvl] = path[lvl - 1]->child[RNPU_PT_INDEX(va, lvl - 1)];
		if (!path[lvl])
			break;
		depth = lvl;
	}
	for (lvl = depth; lvl > 0; lvl--) {
		struct rnpu_pt_node *parent = path[lvl - 1];
		unsigned int idx = RNPU_PT_INDEX(va, lvl - 1);

		if (path[lvl]->used)
			return;
		set_entry(parent, idx, 0);
		parent->child[idx] = NULL;
		parent->used--;
		node_free(pt, path[lvl], lvl);
	}
}

int rnpu_pt_map(struct rnpu_pt *pt, u64 va, dma_addr_t pa, u64 size, u32 prot)
{
	u64 off;
	int ret;

	if (!range_ok(va, size) || (pa & (RNPU_PAGE_SIZE - 1)))
		return -EINVAL;
	if (!(prot & RNPU_PT_PROT_ALL) || (prot & ~RNPU_PT_PROT_ALL))
		return -EINVAL;
	if ((u64)pa + size - 1 > RNPU_PTE_ADDR_MASK)
		return -EINVAL;

	for (off = 0; off < size; off += RNPU_PAGE_SIZE) {
		unsigned int lvl, idx = RNPU_PT_INDEX(va + off, RNPU_PT_LEAF_LEVEL);
		struct rnpu_pt_node *leaf = walk(pt, va + off, true, &lvl);

		if (!leaf) {
			ret = -ENOMEM;
			goto undo;
		}
		if (le64_to_cpu(leaf->cpu[idx]) & RNPU_PTE_VALID) {
			ret = -EEXIST;
			goto undo;
		}
		set_entry(leaf, idx, rnpu_pt_make_pte(pa + off, prot));
		leaf->used++;
	}
	return 0;

undo:
	if (off)
		rnpu_pt_unmap(pt, va, off);
	/* Tables created for the failing page may be empty. */
	prune(pt, va + off);
	return ret;
}

u64 rnpu_pt_unmap(struct rnpu_pt *pt, u64 va, u64 size)
{
	u64 end, pages = 0;

	if (!range_ok(va, size))
		return 0;
	end = va + size;
	while (va < end) {
		unsigned int lvl, idx;
		struct rnpu_pt_node *leaf = walk(pt, va, false, &lvl);
		u64 next;

		if (!leaf) {
			/* Nothing mapped below this entry: skip all of it. */
			next = (va | (BIT_ULL(level_shift(lvl)) - 1)) + 1;
			va = next < end && next > va ? next : end;
			continue;
		}
		idx = RNPU_PT_INDEX(va, RNPU_PT_LEAF_LEVEL);
		if (le64_to_cpu(leaf->cpu[idx]) & RNPU_PTE_VALID) {
			set_entry(leaf, idx, 0);
			leaf->used--;
			pages++;
		}
		next = va + RNPU_PAGE_SIZE;
		/* Leaving a leaf table (or the range): free it if empty. */
		if (!(next & (BIT_ULL(level_shift(RNPU_PT_LEAF_LEVEL - 1)) - 1)) ||
		    next >= end)
			prune(pt, va);
		va = next;
	}
	return pages;
}

int rnpu_pt_lookup(const struct rnpu_pt *pt, u64 va, u64 *pte)
{
	const struct rnpu_pt_node *node = pt->root;
	unsigned int lvl;
	u64 e;

	if (va >> RNPU_VA_BITS)
		return -EINVAL;
	for (lvl = 0; lvl < RNPU_PT_LEAF_LEVEL; lvl++) {
		node = node->child[RNPU_PT_INDEX(va, lvl)];
		if (!node)
			return -ENOENT;
	}
	e = le64_to_cpu(node->cpu[RNPU_PT_INDEX(va, RNPU_PT_LEAF_LEVEL)]);
	if (!(e & RNPU_PTE_VALID))
		return -ENOENT;
	*pte = e;
	return 0;
}
