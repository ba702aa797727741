// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rnpu device MMU: per-context three-level page tables walked in guest
 * memory, a direct-mapped TLB that only MMU_TLB_INV (and context
 * reprogramming) invalidates, and the latched fault registers.
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/pci/pci_device.h"
#include "system/dma.h"

#include "rnpu-dev.h"

static unsigned int tlb_index(uint16_t asid, uint64_t vpn)
{
	return (vpn ^ ((uint64_t)asid * 0x9e37u)) % RNPU_TLB_ENTRIES;
}

void rnpu_tlb_invalidate(RnpuState *s, uint32_t arg)
{
	unsigned int i;

	for (i = 0; i < RNPU_TLB_ENTRIES; i++) {
		if ((arg & RNPU_TLB_INV_ALL) || s->tlb[i].asid == arg)
			s->tlb[i].valid = false;
	}
}

/*
 * The first fault is kept until the driver clears FAULT_STATUS, so a
 * cascade of faults from one bad job cannot hide its cause.
 */
void rnpu_mmu_latch_fault(RnpuState *s, uint16_t asid,
			  const struct rnpu_fault *f)
{
	if (s->fault_status & RNPU_FAULT_VALID)
		return;
	s->fault_status = RNPU_FAULT_VALID |
			  (f->type << RNPU_FAULT_TYPE_SHIFT) |
			  (f->write ? RNPU_FAULT_WRITE : 0);
	s->fault_asid = asid;
	s->fault_addr = f->va;
}

static int fault(struct rnpu_fault *f, uint32_t type, uint64_t va, bool write)
{
	f->type = type;
	f->va = va;
	f->write = write;
	return -1;
}

static int walk(RnpuState *s, uint16_t asid, uint64_t va,
		struct rnpu_tlb_entry *e)
{
	uint64_t table = s->ctx[asid].pt & RNPU_PTE_ADDR_MASK;
	uint64_t pte = 0;
	int lvl;

	for (lvl = 0; lvl < RNPU_PT_LEVELS; lvl++) {
		dma_addr_t a = table + 8 * RNPU_PT_INDEX(va, lvl);

		if (pci_dma_read(PCI_DEVICE(s), a, &pte, sizeof(pte)) != MEMTX_OK)
			return -1;
		pte = le64_to_cpu(pte);
		if (!(pte & RNPU_PTE_VALID))
			return -1;
		table = pte & RNPU_PTE_ADDR_MASK;
	}
	e->valid = true;
	e->asid = asid;
	e->vpn = va >> RNPU_PAGE_SHIFT;
	e->pfn = table >> RNPU_PAGE_SHIFT;
	e->perm = pte & (RNPU_PTE_READ | RNPU_PTE_WRITE);
	return 0;
}

static int translate(RnpuState *s, uint16_t asid, uint64_t va, bool write,
		     uint64_t *pa, struct rnpu_fault *f)
{
	uint64_t vpn = va >> RNPU_PAGE_SHIFT;
	uint8_t need = write ? RNPU_PTE_WRITE : RNPU_PTE_READ;
	struct rnpu_tlb_entry *e;
	uint32_t cfg;

	cfg = asid < RNPU_MAX_CTX ? s->ctx[asid].cfg : 0;
	if (!(cfg & RNPU_CTX_CFG_VALID))
		return fault(f, RNPU_FAULT_BAD_CTX, va, write);
	if (cfg & RNPU_CTX_CFG_BYPASS) {
		*pa = va;
		return 0;
	}
	if (va >> RNPU_VA_BITS)
		return fault(f, RNPU_FAULT_ADDR_SIZE, va, write);

	e = &s->tlb[tlb_index(asid, vpn)];
	if (!e->valid || e->asid != asid || e->vpn != vpn) {
		struct rnpu_tlb_entry n;

		if (walk(s, asid, va, &n))
			return fault(f, RNPU_FAULT_TRANSLATION, va, write);
		*e = n;
	}
	if (!(e->perm & need))
		return fault(f, RNPU_FAULT_PERMISSION, va, write);
	*pa = (e->pfn << RNPU_PAGE_SHIFT) | (va & (RNPU_PAGE_SIZE - 1));
	return 0;
}

static int mmu_access(RnpuState *s, uint16_t asid, uint64_t va, void *buf,
		  uint64_t len, bool write, struct rnpu_fault *f)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t chunk = RNPU_PAGE_SIZE - (va & (RNPU_PAGE_SIZE - 1));
		uint64_t pa;
		MemTxResult r;

		if (chunk > len)
			chunk = len;
		if (translate(s, asid, va, write, &pa, f))
			return -1;
		if (write)
			r = pci_dma_write(PCI_DEVICE(s), pa, p, chunk);
		else
			r = pci_dma_read(PCI_DEVICE(s), pa, p, chunk);
		/* A bus error behind a valid PTE is reported like a bad PTE. */
		if (r != MEMTX_OK)
			return fault(f, RNPU_FAULT_TRANSLATION, va, write);
		va += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

int rnpu_mmu_read(RnpuState *s, uint16_t asid, uint64_t va, void *dst,
		  uint64_t len, struct rnpu_fault *f)
{
	return mmu_access(s, asid, va, dst, len, false, f);
}

int rnpu_mmu_write(RnpuState *s, uint16_t asid, uint64_t va, const void *src,
		   uint64_t len, struct rnpu_fault *f)
{
	return mmu_access(s, asid, va, (void *)src, len, true, f);
}
