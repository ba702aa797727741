// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu buffer objects: shmem-backed GEM objects, mapped into the device
 * address space of every file that holds a handle to them.  Their pages
 * (shmem, pinned by BO_CREATE) are charged to the memory cgroup of the
 * task that creates them, and so is what the driver allocates for them
 * and for page tables and jobs (GFP_KERNEL_ACCOUNT): a container's NPU
 * buffers count against its memory.max.
 */
#include <linux/dma-map-ops.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_vma_manager.h>

#include "rnpu_drv.h"
#include "rnpu_uapi_check.h"

static struct rnpu_mapping *find_mapping(struct rnpu_bo *bo, struct rnpu_vm *vm)
{
	struct rnpu_mapping *map;

	lockdep_assert_held(&bo->map_lock);
	list_for_each_entry(map, &bo->maps, node) {
		if (map->vm == vm)
			return map;
	}
	return NULL;
}

struct rnpu_mapping *rnpu_bo_mapping_get(struct rnpu_bo *bo, struct rnpu_vm *vm)
{
	struct rnpu_mapping *map;

	mutex_lock(&bo->map_lock);
	map = find_mapping(bo, vm);
	if (map)
		kref_get(&map->ref);
	mutex_unlock(&bo->map_lock);
	return map;
}

static void rnpu_mapping_unlink(struct kref *ref)
{
	struct rnpu_mapping *map = container_of(ref, struct rnpu_mapping, ref);

	list_del(&map->node);
}

void rnpu_mapping_put(struct rnpu_mapping *map)
{
	struct rnpu_bo *bo;
	bool last;

	if (!map)
		return;
	bo = map->bo;
	/* Under map_lock so a concurrent lookup cannot revive it. */
	mutex_lock(&bo->map_lock);
	last = kref_put(&map->ref, rnpu_mapping_unlink);
	mutex_unlock(&bo->map_lock);
	if (!last)
		return;
	rnpu_vm_unmap(map->vm, map);
	rnpu_vm_put(map->vm);
	kfree(map);
}

/* A new handle in @file: map the BO into that file's address space. */
static int rnpu_gem_open(struct drm_gem_object *obj, struct drm_file *file)
{
	struct rnpu_ctx *ctx = file->driver_priv;
	struct rnpu_bo *bo = to_rnpu_bo(obj);
	struct rnpu_vm *vm = ctx->vm;
	struct rnpu_mapping *map;
	struct sg_table *sgt;
	int ret;

	map = rnpu_bo_mapping_get(bo, vm);
	if (map)
		return 0;	/* the extra reference belongs to this handle */

	/* Fail over quota before pinning the pages, not after. */
	if (ctx->mem_limit &&
	    obj->size > ctx->mem_limit - min(ctx->mem_limit, READ_ONCE(vm->mem_used)))
		return -EDQUOT;
	sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);

	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;
	kref_init(&map->ref);
	map->bo = bo;
	map->vm = vm;
	kref_get(&vm->ref);

	mutex_lock(&bo->map_lock);
	if (find_mapping(bo, vm)) {
		/* Raced with another handle of this file: use that one. */
		kref_get(&find_mapping(bo, vm)->ref);
		mutex_unlock(&bo->map_lock);
		rnpu_vm_put(vm);
		kfree(map);
		return 0;
	}
	ret = rnpu_vm_map(vm, map, sgt, obj->size,
			  bo->flags & DRM_RNPU_BO_DEVICE_RO, ctx->mem_limit);
	if (ret) {
		mutex_unlock(&bo->map_lock);
		rnpu_vm_put(vm);
		kfree(map);
		return ret;
	}
	list_add_tail(&map->node, &bo->maps);
	mutex_unlock(&bo->map_lock);
	return 0;
}

static void rnpu_gem_close(struct drm_gem_object *obj, struct drm_file *file)
{
	struct rnpu_ctx *ctx = file->driver_priv;
	struct rnpu_bo *bo = to_rnpu_bo(obj);
	struct rnpu_mapping *map;

	mutex_lock(&bo->map_lock);
	map = find_mapping(bo, ctx->vm);
	mutex_unlock(&bo->map_lock);
	/* Jobs still using the BO hold their own references. */
	if (map)
		rnpu_mapping_put(map);
}

static void rnpu_gem_free(struct drm_gem_object *obj)
{
	struct rnpu_bo *bo = to_rnpu_bo(obj);

	WARN_ON(!list_empty(&bo->maps));
	mutex_destroy(&bo->map_lock);
	if (bo->counted)
		atomic_dec(&rnpu_live.bos);
	drm_gem_shmem_free(&bo->base);
}

/*
 * Counted once fully created: the shmem helper frees a BO whose creation
 * failed without calling rnpu_gem_free().
 */
static void count_bo(struct drm_gem_object *obj)
{
	to_rnpu_bo(obj)->counted = true;
	atomic_inc(&rnpu_live.bos);
}

struct drm_gem_object *
rnpu_gem_prime_import_sg_table(struct drm_device *dev,
			       struct dma_buf_attachment *attach,
			       struct sg_table *sgt)
{
	struct drm_gem_object *obj;

	obj = drm_gem_shmem_prime_import_sg_table(dev, attach, sgt);
	if (!IS_ERR(obj))
		count_bo(obj);
	return obj;
}

static enum drm_gem_object_status rnpu_gem_status(struct drm_gem_object *obj)
{
	struct rnpu_bo *bo = to_rnpu_bo(obj);

	return bo->base.pages || obj->import_attach ? DRM_GEM_OBJECT_RESIDENT : 0;
}

static size_t rnpu_gem_rss(struct drm_gem_object *obj)
{
	struct rnpu_bo *bo = to_rnpu_bo(obj);

	return bo->base.pages ? obj->size : 0;
}

static const struct drm_gem_object_funcs rnpu_gem_funcs = {
	.free = rnpu_gem_free,
	.open = rnpu_gem_open,
	.close = rnpu_gem_close,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.status = rnpu_gem_status,
	.rss = rnpu_gem_rss,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

struct drm_gem_object *rnpu_gem_create_object(struct drm_device *dev, size_t size)
{
	struct rnpu_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL_ACCOUNT);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &rnpu_gem_funcs;
	/* CPU caches are only safe when the device snoops them. */
	bo->base.map_wc = !dev_is_dma_coherent(dev->dev);
	mutex_init(&bo->map_lock);
	INIT_LIST_HEAD(&bo->maps);
	return &bo->base.base;
}

static int bo_create(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct rnpu_device *rdev = to_rnpu(dev);
	struct rnpu_ctx *ctx = file->driver_priv;
	struct drm_rnpu_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	struct rnpu_mapping *map;
	u32 handle;
	u64 size;
	int ret;

	ret = rnpu_check_bo_create(args, rdev->va_end - RNPU_VA_START, &size);
	if (ret)
		return ret;
	if (ctx->mem_limit && size > ctx->mem_limit)
		return -EDQUOT;

	shmem = drm_gem_shmem_create(dev, size);
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	count_bo(&shmem->base);
	to_rnpu_bo(&shmem->base)->flags = args->flags;

	ret = drm_gem_handle_create(file, &shmem->base, &handle);
	if (ret) {
		drm_gem_object_put(&shmem->base);
		return ret;
	}
	map = rnpu_bo_mapping_get(to_rnpu_bo(&shmem->base), ctx->vm);
	drm_gem_object_put(&shmem->base);
	/*
	 * Another thread of this file closed the new handle already (it
	 * guessed the number): the BO is gone with it, and the number may
	 * name another BO by now, so leave the handle table alone.
	 */
	if (!map)
		return -ENOENT;
	args->va = map->mm.start;
	rnpu_mapping_put(map);
	args->size = size;
	args->handle = handle;
	return 0;
}

/* Every ioctl runs inside drm_dev_enter(): -ENODEV once unplugged. */
int rnpu_ioctl_bo_create(struct drm_device *dev, void *data, struct drm_file *file)
{
	int ret, idx;

	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;
	ret = bo_create(dev, data, file);
	drm_dev_exit(idx);
	return ret;
}

static int bo_info(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct rnpu_ctx *ctx = file->driver_priv;
	struct drm_rnpu_bo_info *args = data;
	struct drm_gem_object *obj;
	struct rnpu_mapping *map;
	int ret;

	ret = rnpu_check_bo_info(args);
	if (ret)
		return ret;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = drm_gem_create_mmap_offset(obj);
	if (ret)
		goto out;
	map = rnpu_bo_mapping_get(to_rnpu_bo(obj), ctx->vm);
	if (!map) {
		/* The handle was closed after the look-up. */
		ret = -ENOENT;
		goto out;
	}
	args->va = map->mm.start;
	rnpu_mapping_put(map);
	args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	args->size = obj->size;
	args->bo_flags = to_rnpu_bo(obj)->flags;
out:
	drm_gem_object_put(obj);
	return ret;
}

int rnpu_ioctl_bo_info(struct drm_device *dev, void *data, struct drm_file *file)
{
	int ret, idx;

	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;
	ret = bo_info(dev, data, file);
	drm_dev_exit(idx);
	return ret;
}

int rnpu_ioctl_bo_wait(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_rnpu_bo_wait *args = data;
	struct drm_gem_object *obj;
	unsigned long timeout;
	long ret;
	int idx;

	ret = rnpu_check_bo_wait(args);
	if (ret)
		return ret;
	/* Not the wait: remove fails the jobs this one waits for. */
	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;
	obj = drm_gem_object_lookup(file, args->handle);
	drm_dev_exit(idx);
	if (!obj)
		return -ENOENT;
	timeout = nsecs_to_jiffies(rnpu_deadline_to_ns(args->timeout_ns,
						       ktime_get_ns()));
	ret = dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_READ, true,
				    min_t(unsigned long, timeout,
					  MAX_SCHEDULE_TIMEOUT));
	drm_gem_object_put(obj);
	if (ret == 0)
		return -ETIME;
	return ret < 0 ? ret : 0;
}
