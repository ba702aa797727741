// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu per-file device address spaces: VA allocation (drm_mm), page
 * tables in DMA-coherent pages (rnpu_mmu_pt.c), TLB invalidation and the
 * binding of address spaces to the device's few hardware contexts.
 */
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "rnpu_drv.h"

static void *pt_alloc(void *priv, dma_addr_t *dma)
{
	struct rnpu_device *rdev = priv;

	return dma_alloc_coherent(rdev->dev, RNPU_PAGE_SIZE, dma, GFP_KERNEL_ACCOUNT);
}

static void pt_free(void *priv, void *cpu, dma_addr_t dma)
{
	struct rnpu_device *rdev = priv;

	dma_free_coherent(rdev->dev, RNPU_PAGE_SIZE, cpu, dma);
}

static const struct rnpu_pt_ops rnpu_pt_dma_ops = {
	.alloc = pt_alloc,
	.free = pt_free,
};

struct rnpu_vm *rnpu_vm_create(struct rnpu_device *rdev)
{
	struct rnpu_vm *vm;
	int ret;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	ret = rnpu_pt_init(&vm->pt, &rnpu_pt_dma_ops, rdev);
	if (ret) {
		kfree(vm);
		return ERR_PTR(ret);
	}
	kref_init(&vm->ref);
	atomic_inc(&rnpu_live.vms);
	vm->rdev = rdev;
	vm->asid = -1;
	mutex_init(&vm->lock);
	drm_mm_init(&vm->mm, RNPU_VA_START, rdev->va_end - RNPU_VA_START);
	return vm;
}

/* Make the device forget @vm's translations; its tables may change next. */
static void vm_flush_tlb(struct rnpu_vm *vm, bool unbind)
{
	struct rnpu_device *rdev = vm->rdev;
	unsigned long flags;
	int asid, idx;
	/* Unbound or powered off, the TLB is gone with the device state. */
	bool on = rnpu_hw_get(rdev, &idx);

	spin_lock_irqsave(&rdev->asid_lock, flags);
	/*
	 * A system suspend powers the device off whatever the runtime-PM
	 * count: it clears powered, then takes asid_lock once, so either we
	 * see powered == 0 here or it waits for these writes.
	 */
	if (on && !atomic_read(&rdev->powered)) {
		rnpu_hw_put(rdev, idx);
		on = false;
	}
	asid = vm->asid;
	if (asid >= 0 && unbind) {
		rdev->asid_owner[asid] = NULL;
		vm->asid = -1;
		if (on)
			rnpu_write(rdev, RNPU_CTX_CFG(asid), 0);
	}
	/* Powered off, the TLB is gone; a bound but unprogrammed ASID is clean. */
	if (asid >= 0 && on && !vm->asid_dirty)
		rnpu_hw_tlb_invalidate(rdev, asid);
	spin_unlock_irqrestore(&rdev->asid_lock, flags);
	if (on)
		rnpu_hw_put(rdev, idx);
}

static void rnpu_vm_release(struct kref *ref)
{
	struct rnpu_vm *vm = container_of(ref, struct rnpu_vm, ref);

	vm_flush_tlb(vm, true);
	dma_fence_put(vm->last_fence);
	WARN_ON(!drm_mm_clean(&vm->mm));
	drm_mm_takedown(&vm->mm);
	rnpu_pt_fini(&vm->pt);
	mutex_destroy(&vm->lock);
	kfree(vm);
	atomic_dec(&rnpu_live.vms);
}

void rnpu_vm_put(struct rnpu_vm *vm)
{
	if (vm)
		kref_put(&vm->ref, rnpu_vm_release);
}

/*
 * Map @size bytes of @sgt at a fresh VA, followed by an unmapped guard
 * page so a job running off the end of a BO faults instead of touching
 * its neighbour.  @limit (bytes, 0 = none) caps the file's BO memory.
 */
int rnpu_vm_map(struct rnpu_vm *vm, struct rnpu_mapping *map,
		struct sg_table *sgt, u64 size, bool read_only, u64 limit)
{
	u32 prot = RNPU_PT_PROT_READ | (read_only ? 0 : RNPU_PT_PROT_WRITE);
	struct scatterlist *sg;
	u64 va, off = 0;
	unsigned int i;
	int ret;

	mutex_lock(&vm->lock);
	if (limit && (size > limit || vm->mem_used > limit - size)) {
		ret = -EDQUOT;
		goto out;
	}
	ret = drm_mm_insert_node_in_range(&vm->mm, &map->mm,
					  size + RNPU_PAGE_SIZE, RNPU_PAGE_SIZE,
					  0, RNPU_VA_START, vm->rdev->va_end,
					  DRM_MM_INSERT_BEST);
	if (ret)
		goto out;
	va = map->mm.start;
	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 len = min_t(u64, sg_dma_len(sg), size - off);

		ret = rnpu_pt_map(&vm->pt, va + off, sg_dma_address(sg), len, prot);
		if (ret)
			break;
		off += len;
		if (off == size)
			break;
	}
	if (!ret && off < size)
		ret = -EINVAL;
	if (ret) {
		if (off)
			rnpu_pt_unmap(&vm->pt, va, off);
		drm_mm_remove_node(&map->mm);
		goto out;
	}
	map->size = size;
	vm->mem_used += size;
	/* Table writes must reach memory before the device walks them. */
	wmb();
out:
	mutex_unlock(&vm->lock);
	return ret;
}

void rnpu_vm_unmap(struct rnpu_vm *vm, struct rnpu_mapping *map)
{
	mutex_lock(&vm->lock);
	rnpu_pt_unmap(&vm->pt, map->mm.start, map->size);
	/* Cleared entries must be in memory before the TLB is flushed. */
	wmb();
	/* The pages may be reused as soon as we return: flush first. */
	vm_flush_tlb(vm, false);
	drm_mm_remove_node(&map->mm);
	vm->mem_used -= map->size;
	mutex_unlock(&vm->lock);
}

/*
 * Give @vm a hardware context before its job runs.  Returns NULL when it
 * has one, or a fence to wait for when every context is in use by a job
 * still on the ring (drm_sched calls this again once it signals).
 */
struct dma_fence *rnpu_asid_acquire(struct rnpu_device *rdev, struct rnpu_vm *vm)
{
	struct rnpu_vm *victim = NULL, *busy = NULL;
	struct dma_fence *wait = NULL;
	unsigned long flags;
	int i, slot = -1;

	spin_lock_irqsave(&rdev->asid_lock, flags);
	if (vm->asid >= 0)
		goto out;
	for (i = 0; i < rdev->caps.num_ctx; i++) {
		struct rnpu_vm *o = rdev->asid_owner[i];

		if (!o) {
			slot = i;
			break;
		}
		if (!o->last_fence || dma_fence_is_signaled(o->last_fence)) {
			if (!victim || o->lru < victim->lru)
				victim = o;
		} else if (!busy || o->lru < busy->lru) {
			busy = o;
		}
	}
	if (slot < 0 && victim) {
		slot = victim->asid;
		victim->asid = -1;
	}
	if (slot >= 0) {
		rdev->asid_owner[slot] = vm;
		vm->asid = slot;
		vm->asid_dirty = true;
	} else if (busy) {
		wait = dma_fence_get(busy->last_fence);
	}
out:
	spin_unlock_irqrestore(&rdev->asid_lock, flags);
	return wait;
}

static void asid_write(struct rnpu_device *rdev, int asid, struct rnpu_vm *vm)
{
	dma_addr_t root = vm ? rnpu_pt_root(&vm->pt) : 0;

	rnpu_write(rdev, RNPU_CTX_PT_LO(asid), lower_32_bits(root));
	rnpu_write(rdev, RNPU_CTX_PT_HI(asid), upper_32_bits(root));
	rnpu_write(rdev, RNPU_CTX_CFG(asid), vm ? RNPU_CTX_CFG_VALID : 0);
	rnpu_hw_tlb_invalidate(rdev, asid);
}

static void asid_note_locked(struct rnpu_device *rdev, struct rnpu_vm *vm,
			     struct dma_fence *fence)
{
	lockdep_assert_held(&rdev->asid_lock);
	vm->lru = ++rdev->asid_clock;
	dma_fence_put(vm->last_fence);
	vm->last_fence = dma_fence_get(fence);
}

/*
 * A job of @vm (finishing with @fence) will run: the context is in use
 * until that fence signals, so the LRU does not give it away.  No
 * register access (the job may be parked with the device off).
 */
void rnpu_asid_note(struct rnpu_device *rdev, struct rnpu_vm *vm,
		    struct dma_fence *fence)
{
	unsigned long flags;

	spin_lock_irqsave(&rdev->asid_lock, flags);
	asid_note_locked(rdev, vm, fence);
	spin_unlock_irqrestore(&rdev->asid_lock, flags);
}

/* Job going on the ring, device powered: program a new binding, note the user. */
void rnpu_asid_program(struct rnpu_device *rdev, struct rnpu_vm *vm,
		       struct dma_fence *fence)
{
	unsigned long flags;

	spin_lock_irqsave(&rdev->asid_lock, flags);
	if (vm->asid >= 0 && vm->asid_dirty) {
		asid_write(rdev, vm->asid, vm);
		vm->asid_dirty = false;
	}
	asid_note_locked(rdev, vm, fence);
	spin_unlock_irqrestore(&rdev->asid_lock, flags);
}

/* After power-on or reset: every context register was cleared. */
void rnpu_asid_restore(struct rnpu_device *rdev)
{
	unsigned long flags;
	int i;

	spin_lock_irqsave(&rdev->asid_lock, flags);
	for (i = 0; i < rdev->caps.num_ctx; i++) {
		struct rnpu_vm *vm = rdev->asid_owner[i];

		asid_write(rdev, i, vm);
		if (vm)
			vm->asid_dirty = false;
	}
	spin_unlock_irqrestore(&rdev->asid_lock, flags);
}
