// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for the rnpu device page tables (kernel/rnpu_mmu_pt.c).
 *
 * The tables are checked the way the device reads them: a reference
 * walker starts from the root bus address and follows the bus addresses
 * in the entries, using the test allocator's record of which bus address
 * belongs to which table page.  The allocator also counts live tables (to
 * catch leaks) and can be told to fail (to exercise -ENOMEM unwinding).
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include "rnpu_regs.h"
#include "rnpu_mmu_pt.h"

#define TEST_MAX_TABLES	64
#define TEST_DMA_BASE	0x80000000ull	/* fake bus addresses start here */
#define VA_END		BIT_ULL(RNPU_VA_BITS)

struct test_alloc {
	void *cpu[TEST_MAX_TABLES];
	unsigned int live;
	unsigned int allocs;
	int fail_at;		/* fail the allocation with this index, -1 = never */
};

struct pt_ctx {
	struct test_alloc ta;
	struct rnpu_pt pt;
};

static void *test_pt_alloc(void *priv, dma_addr_t *dma)
{
	struct test_alloc *ta = priv;
	unsigned int i;

	if (ta->fail_at >= 0 && ta->allocs++ == ta->fail_at)
		return NULL;
	for (i = 0; i < TEST_MAX_TABLES; i++) {
		if (ta->cpu[i])
			continue;
		ta->cpu[i] = kzalloc(RNPU_PAGE_SIZE, GFP_KERNEL);
		if (!ta->cpu[i])
			return NULL;
		ta->live++;
		*dma = TEST_DMA_BASE + (dma_addr_t)i * RNPU_PAGE_SIZE;
		return ta->cpu[i];
	}
	return NULL;
}

static void test_pt_free(void *priv, void *cpu, dma_addr_t dma)
{
	struct test_alloc *ta = priv;
	unsigned int i = (dma - TEST_DMA_BASE) / RNPU_PAGE_SIZE;

	if (WARN_ON(i >= TEST_MAX_TABLES || ta->cpu[i] != cpu))
		return;
	kfree(cpu);
	ta->cpu[i] = NULL;
	ta->live--;
}

static const struct rnpu_pt_ops test_pt_ops = {
	.alloc = test_pt_alloc,
	.free = test_pt_free,
};

static int pt_test_init(struct kunit *test)
{
	struct pt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx);
	ctx->ta.fail_at = -1;
	KUNIT_ASSERT_EQ(test, rnpu_pt_init(&ctx->pt, &test_pt_ops, &ctx->ta), 0);
	test->priv = ctx;
	return 0;
}

static void pt_test_exit(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;

	rnpu_pt_fini(&ctx->pt);
	/* Every table page must have gone back to the allocator. */
	KUNIT_EXPECT_EQ(test, ctx->ta.live, 0);
}

/* Table page at bus address @dma, or NULL if it is not one of ours. */
static const __le64 *table_at(struct pt_ctx *ctx, u64 dma)
{
	u64 i;

	if (dma < TEST_DMA_BASE || (dma - TEST_DMA_BASE) % RNPU_PAGE_SIZE)
		return NULL;
	i = (dma - TEST_DMA_BASE) / RNPU_PAGE_SIZE;
	return i < TEST_MAX_TABLES ? ctx->ta.cpu[i] : NULL;
}

/*
 * Translate @va as the device does (hw/include/rnpu_regs.h).  Returns the
 * leaf entry, or 0 when any level has no valid entry.
 */
static u64 hw_walk(struct kunit *test, struct pt_ctx *ctx, u64 va)
{
	u64 table = rnpu_pt_root(&ctx->pt);
	unsigned int lvl;

	for (lvl = 0; lvl < RNPU_PT_LEVELS; lvl++) {
		const __le64 *t = table_at(ctx, table);
		u64 e;

		KUNIT_ASSERT_NOT_NULL_MSG(test, t, "level %u table %llx", lvl, table);
		e = le64_to_cpu(t[RNPU_PT_INDEX(va, lvl)]);
		if (!(e & RNPU_PTE_VALID))
			return 0;
		if (lvl == RNPU_PT_LEVELS - 1)
			return e;
		/* Directory entries carry no rights and no stray bits. */
		KUNIT_EXPECT_EQ(test, e & ~RNPU_PTE_ADDR_MASK, RNPU_PTE_VALID);
		table = e & RNPU_PTE_ADDR_MASK;
	}
	return 0;
}

static void expect_mapped(struct kunit *test, struct pt_ctx *ctx, u64 va,
			  u64 pa, u64 rights)
{
	u64 e = hw_walk(test, ctx, va), looked = 0;

	KUNIT_EXPECT_EQ_MSG(test, e & RNPU_PTE_ADDR_MASK, pa, "va %llx", va);
	KUNIT_EXPECT_EQ_MSG(test, e & ~RNPU_PTE_ADDR_MASK,
			    RNPU_PTE_VALID | rights, "va %llx", va);
	KUNIT_EXPECT_EQ(test, rnpu_pt_lookup(&ctx->pt, va, &looked), 0);
	KUNIT_EXPECT_EQ(test, looked, e);
}

static void expect_unmapped(struct kunit *test, struct pt_ctx *ctx, u64 va)
{
	u64 e;

	KUNIT_EXPECT_EQ_MSG(test, hw_walk(test, ctx, va), 0, "va %llx", va);
	KUNIT_EXPECT_EQ_MSG(test, rnpu_pt_lookup(&ctx->pt, va, &e), -ENOENT,
			    "va %llx", va);
}

static void pt_init_fini(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	const __le64 *root = table_at(ctx, rnpu_pt_root(&ctx->pt));
	unsigned int i;

	KUNIT_EXPECT_EQ(test, ctx->pt.tables, 1);
	KUNIT_EXPECT_EQ(test, ctx->ta.live, 1);
	KUNIT_ASSERT_NOT_NULL(test, root);
	for (i = 0; i < RNPU_PT_ENTRIES; i++)
		KUNIT_EXPECT_EQ(test, le64_to_cpu(root[i]), 0);
	expect_unmapped(test, ctx, 0);
}

static void pt_make_pte(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rnpu_pt_make_pte(0x1234000, RNPU_PT_PROT_READ),
			0x1234000ull | RNPU_PTE_VALID | RNPU_PTE_READ);
	KUNIT_EXPECT_EQ(test, rnpu_pt_make_pte(0x1234000, RNPU_PT_PROT_WRITE),
			0x1234000ull | RNPU_PTE_VALID | RNPU_PTE_WRITE);
	KUNIT_EXPECT_EQ(test, rnpu_pt_make_pte(0x1234000, RNPU_PT_PROT_READ |
					       RNPU_PT_PROT_WRITE),
			0x1234000ull | RNPU_PTE_VALID | RNPU_PTE_READ |
			RNPU_PTE_WRITE);
	/* Sub-page bits never leak into the rights bits. */
	KUNIT_EXPECT_EQ(test, rnpu_pt_make_pte(0x1234fff, RNPU_PT_PROT_READ),
			0x1234000ull | RNPU_PTE_VALID | RNPU_PTE_READ);
	KUNIT_EXPECT_EQ(test, rnpu_pt_make_pte(RNPU_PTE_ADDR_MASK, 0),
			RNPU_PTE_ADDR_MASK | RNPU_PTE_VALID);
}

static void pt_map_one_page(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	u64 va = 0x40201000ull;	/* non-zero index at every level */

	KUNIT_ASSERT_EQ(test, rnpu_pt_map(&ctx->pt, va, 0x5000000, SZ_4K,
					  RNPU_PT_PROT_READ), 0);
	expect_mapped(test, ctx, va, 0x5000000, RNPU_PTE_READ);
	expect_unmapped(test, ctx, va - SZ_4K);
	expect_unmapped(test, ctx, va + SZ_4K);
	/* Root plus one level-1 and one level-2 table. */
	KUNIT_EXPECT_EQ(test, ctx->pt.tables, 3);
	KUNIT_EXPECT_EQ(test, ctx->ta.live, 3);
}

static void pt_map_rights(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	const u32 prot[] = { RNPU_PT_PROT_READ, RNPU_PT_PROT_WRITE,
			     RNPU_PT_PROT_READ | RNPU_PT_PROT_WRITE };
	const u64 rights[] = { RNPU_PTE_READ, RNPU_PTE_WRITE,
			       RNPU_PTE_READ | RNPU_PTE_WRITE };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(prot); i++) {
		u64 va = SZ_1M + i * SZ_4K, pa = SZ_16M + i * SZ_4K;

		KUNIT_ASSERT_EQ(test, rnpu_pt_map(&ctx->pt, va, pa, SZ_4K,
						  prot[i]), 0);
		expect_mapped(test, ctx, va, pa, rights[i]);
	}
}

static void pt_map_bad_args(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	struct rnpu_pt *pt = &ctx->pt;
	const u32 r = RNPU_PT_PROT_READ;

	KUNIT_EXPECT_EQ(test, rnpu_pt_map(pt, SZ_4K, SZ_4K, 0, r), -EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(pt, SZ_4K + 8, SZ_4K, SZ_4K, r), -EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(pt, SZ_4K, SZ_4K + 8, SZ_4K, r), -EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(pt, SZ_4K, SZ_4K, SZ_4K + 1, r), -EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(pt, SZ_4K, SZ_4K, SZ_4K, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(pt, SZ_4K, SZ_4K, SZ_4K, r | BIT(2)),
			-EINVAL);
	/* Beyond the 39-bit VA space, and wrapping around 2^64. */
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(pt, VA_END, SZ_4K, SZ_4K, r), -EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(pt, VA_END - SZ_4K, SZ_4K, SZ_8K, r),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(pt, SZ_4K, SZ_4K,
					  ~(u64)(RNPU_PAGE_SIZE - 1), r), -EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(pt, ~(u64)(RNPU_PAGE_SIZE - 1), SZ_4K,
					  SZ_4K, r), -EINVAL);
	/* Physical frames beyond what an entry can hold. */
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(pt, SZ_4K, RNPU_PTE_ADDR_MASK, SZ_8K, r),
			-EINVAL);
	/* Nothing was built for any rejected call. */
	KUNIT_EXPECT_EQ(test, ctx->pt.tables, 1);
}

static void pt_va_boundaries(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	u64 last = VA_END - SZ_4K, e;

	KUNIT_ASSERT_EQ(test, rnpu_pt_map(&ctx->pt, 0, SZ_4K, SZ_4K,
					  RNPU_PT_PROT_READ), 0);
	KUNIT_ASSERT_EQ(test, rnpu_pt_map(&ctx->pt, last - SZ_4K, SZ_64K, SZ_8K,
					  RNPU_PT_PROT_WRITE), 0);
	expect_mapped(test, ctx, 0, SZ_4K, RNPU_PTE_READ);
	expect_mapped(test, ctx, last - SZ_4K, SZ_64K, RNPU_PTE_WRITE);
	expect_mapped(test, ctx, last, SZ_64K + SZ_4K, RNPU_PTE_WRITE);
	/* First and last entry of every level: 2 paths of 2 tables each. */
	KUNIT_EXPECT_EQ(test, ctx->pt.tables, 5);
	KUNIT_EXPECT_EQ(test, rnpu_pt_lookup(&ctx->pt, VA_END, &e), -EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_pt_unmap(&ctx->pt, VA_END - SZ_8K, SZ_8K), 2);
	KUNIT_EXPECT_EQ(test, rnpu_pt_unmap(&ctx->pt, 0, SZ_4K), 1);
	KUNIT_EXPECT_EQ(test, ctx->pt.tables, 1);
}

/* A range crossing a 2 MiB (leaf table) and a 1 GiB (level-1) boundary. */
static void pt_map_across_levels(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	u64 va = SZ_1G - SZ_2M - SZ_8K, size = SZ_2M + SZ_16K, off;
	u64 pa = 0x123400000ull;

	KUNIT_ASSERT_EQ(test, rnpu_pt_map(&ctx->pt, va, pa, size,
					  RNPU_PT_PROT_READ |
					  RNPU_PT_PROT_WRITE), 0);
	for (off = 0; off < size; off += SZ_4K)
		expect_mapped(test, ctx, va + off, pa + off,
			      RNPU_PTE_READ | RNPU_PTE_WRITE);
	expect_unmapped(test, ctx, va - SZ_4K);
	expect_unmapped(test, ctx, va + size);
	/* Root, two level-1 tables, three leaf tables. */
	KUNIT_EXPECT_EQ(test, ctx->pt.tables, 6);
	KUNIT_EXPECT_EQ(test, rnpu_pt_unmap(&ctx->pt, va, size), size / SZ_4K);
	KUNIT_EXPECT_EQ(test, ctx->pt.tables, 1);
	KUNIT_EXPECT_EQ(test, ctx->ta.live, 1);
}

static void pt_overlap(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	const u32 rw = RNPU_PT_PROT_READ | RNPU_PT_PROT_WRITE;
	u64 a = SZ_2M + SZ_16K;
	unsigned int tables;

	KUNIT_ASSERT_EQ(test, rnpu_pt_map(&ctx->pt, a, SZ_1G, SZ_16K, rw), 0);
	tables = ctx->pt.tables;
	/* Starts earlier (in another leaf table) and runs into A. */
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(&ctx->pt, a - SZ_2M, SZ_256M,
					  SZ_2M + SZ_4K, rw), -EEXIST);
	/* Same start; inside; covering the last page only. */
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(&ctx->pt, a, SZ_256M, SZ_4K, rw),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(&ctx->pt, a + SZ_4K, SZ_256M, SZ_4K, rw),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(&ctx->pt, a + SZ_8K + SZ_4K, SZ_256M,
					  SZ_8K, rw), -EEXIST);
	/* A is untouched and the failed calls left nothing behind. */
	expect_mapped(test, ctx, a, SZ_1G, RNPU_PTE_READ | RNPU_PTE_WRITE);
	expect_mapped(test, ctx, a + SZ_8K + SZ_4K, SZ_1G + SZ_8K + SZ_4K,
		      RNPU_PTE_READ | RNPU_PTE_WRITE);
	expect_unmapped(test, ctx, a - SZ_2M);
	expect_unmapped(test, ctx, a - SZ_4K);
	expect_unmapped(test, ctx, a + SZ_16K);
	KUNIT_EXPECT_EQ(test, ctx->pt.tables, tables);
	/* Adjacent ranges (no guard needed at this level) are fine. */
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(&ctx->pt, a + SZ_16K, SZ_256M, SZ_4K,
					  rw), 0);
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(&ctx->pt, a - SZ_4K, SZ_256M + SZ_4K,
					  SZ_4K, rw), 0);
}

static void pt_unmap_partial(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	u64 va = SZ_1G * 3ull, off;

	KUNIT_ASSERT_EQ(test, rnpu_pt_map(&ctx->pt, va, SZ_2G, SZ_64K,
					  RNPU_PT_PROT_READ), 0);
	/* Punch a hole, then unmap a range spanning the hole. */
	KUNIT_EXPECT_EQ(test, rnpu_pt_unmap(&ctx->pt, va + SZ_16K, SZ_8K), 2);
	KUNIT_EXPECT_EQ(test, rnpu_pt_unmap(&ctx->pt, va + SZ_8K, SZ_32K), 6);
	for (off = 0; off < SZ_64K; off += SZ_4K) {
		if (off >= SZ_8K && off < SZ_8K + SZ_32K)
			expect_unmapped(test, ctx, va + off);
		else
			expect_mapped(test, ctx, va + off, SZ_2G + off,
				      RNPU_PTE_READ);
	}
	/* Unmapping what is not mapped changes nothing. */
	KUNIT_EXPECT_EQ(test, rnpu_pt_unmap(&ctx->pt, va + SZ_8K, SZ_32K), 0);
	KUNIT_EXPECT_EQ(test, rnpu_pt_unmap(&ctx->pt, SZ_4K, SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, ctx->pt.tables, 3);
	/* Bad ranges unmap nothing. */
	KUNIT_EXPECT_EQ(test, rnpu_pt_unmap(&ctx->pt, va + 1, SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, rnpu_pt_unmap(&ctx->pt, va, 0), 0);
	KUNIT_EXPECT_EQ(test, rnpu_pt_unmap(&ctx->pt, va, SZ_4K - 1), 0);
	expect_mapped(test, ctx, va, SZ_2G, RNPU_PTE_READ);
	/* The whole VA space at once: quick, and frees every table. */
	KUNIT_EXPECT_EQ(test, rnpu_pt_unmap(&ctx->pt, 0, VA_END), 8);
	KUNIT_EXPECT_EQ(test, ctx->pt.tables, 1);
	KUNIT_EXPECT_EQ(test, ctx->ta.live, 1);
}

static void pt_remap(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;

	KUNIT_ASSERT_EQ(test, rnpu_pt_map(&ctx->pt, SZ_8M, SZ_1G, SZ_8K,
					  RNPU_PT_PROT_READ), 0);
	KUNIT_EXPECT_EQ(test, rnpu_pt_unmap(&ctx->pt, SZ_8M, SZ_8K), 2);
	KUNIT_ASSERT_EQ(test, rnpu_pt_map(&ctx->pt, SZ_8M, SZ_2G, SZ_8K,
					  RNPU_PT_PROT_WRITE), 0);
	expect_mapped(test, ctx, SZ_8M + SZ_4K, SZ_2G + SZ_4K, RNPU_PTE_WRITE);
}

/* Each allocation of a multi-table map fails in turn; nothing may leak. */
static void pt_map_enomem(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	/* Needs a leaf under the existing level-1 table, then a new path. */
	u64 va = SZ_1G - SZ_4K, size = SZ_8K;
	int i;

	KUNIT_ASSERT_EQ(test, rnpu_pt_map(&ctx->pt, SZ_4K, SZ_4K, SZ_4K,
					  RNPU_PT_PROT_READ), 0);
	for (i = 0; i < 3; i++) {
		ctx->ta.allocs = 0;
		ctx->ta.fail_at = i;
		KUNIT_EXPECT_EQ(test, rnpu_pt_map(&ctx->pt, va, SZ_1G, size,
						  RNPU_PT_PROT_READ), -ENOMEM);
		expect_unmapped(test, ctx, va);
		expect_unmapped(test, ctx, va + SZ_4K);
		/* Only the first mapping's tables remain. */
		KUNIT_EXPECT_EQ(test, ctx->pt.tables, 3);
		KUNIT_EXPECT_EQ(test, ctx->ta.live, 3);
	}
	ctx->ta.fail_at = -1;
	KUNIT_EXPECT_EQ(test, rnpu_pt_map(&ctx->pt, va, SZ_1G, size,
					  RNPU_PT_PROT_READ), 0);
	KUNIT_EXPECT_EQ(test, ctx->pt.tables, 6);
	expect_mapped(test, ctx, va + SZ_4K, SZ_1G + SZ_4K, RNPU_PTE_READ);
	expect_mapped(test, ctx, SZ_4K, SZ_4K, RNPU_PTE_READ);
}

static void pt_lookup_bad(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	u64 e = 0x5a5a;

	KUNIT_EXPECT_EQ(test, rnpu_pt_lookup(&ctx->pt, VA_END, &e), -EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_pt_lookup(&ctx->pt, U64_MAX, &e), -EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_pt_lookup(&ctx->pt, SZ_4K, &e), -ENOENT);
	/* A failed lookup leaves the output alone. */
	KUNIT_EXPECT_EQ(test, e, 0x5a5a);
}

/* Many scattered mappings, then fini must free everything (checked in exit). */
static void pt_fini_frees_all(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, rnpu_pt_map(&ctx->pt, (u64)i * SZ_32G + SZ_2M,
						  SZ_1G, SZ_4K,
						  RNPU_PT_PROT_READ), 0);
	KUNIT_EXPECT_EQ(test, ctx->pt.tables, 1 + 8 * 2);
}

static struct kunit_case rnpu_mmu_pt_cases[] = {
	KUNIT_CASE(pt_init_fini),
	KUNIT_CASE(pt_make_pte),
	KUNIT_CASE(pt_map_one_page),
	KUNIT_CASE(pt_map_rights),
	KUNIT_CASE(pt_map_bad_args),
	KUNIT_CASE(pt_va_boundaries),
	KUNIT_CASE(pt_map_across_levels),
	KUNIT_CASE(pt_overlap),
	KUNIT_CASE(pt_unmap_partial),
	KUNIT_CASE(pt_remap),
	KUNIT_CASE(pt_map_enomem),
	KUNIT_CASE(pt_lookup_bad),
	KUNIT_CASE(pt_fini_frees_all),
	{}
};

static struct kunit_suite rnpu_mmu_pt_suite = {
	.name = "rnpu_mmu_pt",
	.init = pt_test_init,
	.exit = pt_test_exit,
	.test_cases = rnpu_mmu_pt_cases,
};

kunit_test_suite(rnpu_mmu_pt_suite);

MODULE_DESCRIPTION("KUnit tests for the rnpu device page tables");
MODULE_LICENSE("GPL");
