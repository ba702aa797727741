/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rnpu DRM accel driver: shared definitions.
 */
#ifndef RNPU_DRV_H
#define RNPU_DRV_H

#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/kfifo.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <drm/drm_device.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_mm.h>
#include <drm/drm_print.h>
#include <drm/gpu_scheduler.h>

#include "rnpu_accel.h"
#include "rnpu_regs.h"
#include "rnpu_mmu_pt.h"

#define RNPU_DRIVER_NAME	"rnpu"
#define RNPU_DRIVER_DESC	"rnpu reference NPU"

/* Lowest VA handed out: small integers used as addresses must fault. */
#define RNPU_VA_START		0x100000ull
#define RNPU_NUM_PRIO		3
#define RNPU_FAULT_LOG		8
#define RNPU_EVENT_FIFO		32
#define RNPU_BANNED_PROCS	16
/* rdev->sram_owner: SRAM zero (powered up), or holding anyone's data. */
#define RNPU_SRAM_CLEAN		0
#define RNPU_SRAM_UNKNOWN	U64_MAX

/* Module parameters (rnpu_drv.c); documented in docs/kernel.md. */
extern unsigned int rnpu_autosuspend_ms;
extern unsigned int rnpu_job_timeout_ms;
extern unsigned int rnpu_max_bo_mem_mb;
extern unsigned int rnpu_sram_reserve_kib;
extern unsigned int rnpu_ring_entries;
extern unsigned int rnpu_job_history;
extern bool rnpu_devfreq_enable;
extern bool rnpu_ban_on_hang;

struct rnpu_caps {
	u32 version;
	u32 mac_rows;
	u32 mac_cols;
	u32 vec_lanes;
	u32 sram_kib;
	u32 dram_bw;
	u32 sram_bw;
	u32 dtypes;
	u64 ops;
	u32 num_ctx;
	u32 va_bits;
	u32 cmd_ver;
	u64 sram_va;
	u32 num_opp;
	u32 opp_mhz[RNPU_MAX_OPP];
	u32 opp_uv[RNPU_MAX_OPP];
};

/* A fault or reset to report on the netlink family, queued from IRQs. */
struct rnpu_event {
	u8 cmd;			/* RNPU_NL_CMD_x */
	u8 banned;
	u32 error;
	u32 fault_info;
	u32 asid;
	u32 err_offset;
	u32 reason;
	u32 resets;
	u32 pid;
	u64 client_id;
	u64 seqno;
	u64 fault_va;
	u64 freq_hz;
	u64 old_freq_hz;
	s32 temp;
	char comm[16];
};

struct rnpu_dump;

struct rnpu_device {
	struct drm_device drm;
	struct device *dev;
	void __iomem *regs;
	struct clk *clk;	/* DT core clock, NULL on PCI */
	int irq_job;
	int irq_err;
	bool irq_shared;	/* one line for both (INTx or one DT interrupt) */
	struct rnpu_caps caps;
	u64 va_end;

	/* Job ring: descriptors, per-slot results and the fence word. */
	struct rnpu_job_desc *ring;
	dma_addr_t ring_dma;
	struct rnpu_job_result *results;
	dma_addr_t results_dma;
	__le64 *fence_cpu;
	dma_addr_t fence_dma;
	u32 ring_size;
	u32 ring_head;		/* oldest slot not yet retired, software view */
	u32 ring_tail;		/* next free slot */
	u64 sram_owner;		/* client id whose data the SRAM may hold */
	struct rnpu_job **slot_job;
	spinlock_t job_lock;	/* ring state, slot_job, hw fence signalling */
	u64 hw_seqno;
	u64 fence_context;
	ktime_t last_retire;
	spinlock_t fence_lock;	/* hardware fences */
	u32 pending_fi;		/* fault injection for the next job */
	u64 pending_fi_addr;
	bool resetting;
	bool lost;		/* reset failed: jobs fail with DEVICE_LOST */
	/*
	 * While parked (system suspend, PCI reset) run_job queues jobs on
	 * park_list instead of the ring; unparking pushes them in order.
	 */
	bool parked;
	struct list_head park_list;
	wait_queue_head_t ring_idle;	/* woken when the ring drains */
	u32 suspends;		/* system suspends survived */
	u32 last_parked;	/* jobs parked by the last suspend or PCI reset */
	u32 reset_gen;		/* bumped by every reset */
	struct rnpu_job **reset_jobs;	/* ring_size entries, for recovery */

	struct drm_gpu_scheduler sched;
	struct mutex reset_lock;	/* one reset at a time */
	atomic_t resets;
	/*
	 * Ordered: the scheduler's timeout handler and the debugfs forced
	 * reset run on it one after the other, never side by side.
	 */
	struct workqueue_struct *reset_wq;
	struct work_struct force_reset_work;
	struct mutex force_reset_lock;	/* force_reset_ret */
	int force_reset_ret;
	bool pci_reset;		/* between reset_prepare/error_detected and done */
	u32 reset_lost;		/* jobs taken off the ring by a PCI reset */

	/*
	 * Lifetime: jobs alive (SUBMIT to free_job) keep the scheduler up
	 * until the last reference; runtime-PM references the jobs hold
	 * (returned by remove for jobs freed after unplug).
	 */
	atomic_t jobs_live;
	wait_queue_head_t jobs_done;
	atomic_t job_pm_refs;

	/* ASIDs: which address space owns each hardware context. */
	spinlock_t asid_lock;
	struct rnpu_vm *asid_owner[RNPU_MAX_CTX];
	u64 asid_clock;

	/* Power: counters accumulated over power-offs. */
	spinlock_t cnt_lock;
	u64 cnt_base[RNPU_CNT_COUNT];
	atomic64_t sw_faults;
	atomic_t powered;
	u32 opp_cur;
	u32 opp_cap;		/* thermal limit on the OPP index */

	struct devfreq *devfreq;
	struct thermal_cooling_device *cooling;	/* the OPP limit (rnpu_thermal.c) */
	struct thermal_zone_device *tz;
	s32 last_temp;		/* mC, the last reading while powered */
	struct device *hwmon;
	u64 df_cycles;
	u64 df_busy;
	ktime_t df_time;
	struct work_struct thermal_work;	/* zone update after THERMAL */

	/* Events for netlink, produced in IRQ context. */
	DECLARE_KFIFO(events, struct rnpu_event, RNPU_EVENT_FIFO);
	spinlock_t event_lock;		/* events */
	struct work_struct event_work;

	/* devcoredump: the one capture in flight (rnpu_coredump.c). */
	struct rnpu_dump *coredump;
	bool coredump_enabled;		/* under job_lock */
	struct work_struct coredump_work;
	atomic_t coredumps;		/* written out */

	struct mutex ctx_lock;		/* ctx_list */
	struct list_head ctx_list;

	/*
	 * Processes whose context was banned: their new contexts start
	 * banned, so reopening the device does not buy another hang.
	 */
	spinlock_t ban_lock;		/* banned_procs, banned_next */
	struct pid *banned_procs[RNPU_BANNED_PROCS];
	u32 banned_next;
};

#define to_rnpu(d) container_of(d, struct rnpu_device, drm)

static inline u32 rnpu_read(struct rnpu_device *rdev, u32 reg)
{
	return readl(rdev->regs + reg);
}

static inline void rnpu_write(struct rnpu_device *rdev, u32 reg, u32 val)
{
	writel(val, rdev->regs + reg);
}

/* LO first: reading a counter's LO half latches all 64 bits. */
static inline u64 rnpu_read64(struct rnpu_device *rdev, u32 lo)
{
	u64 v = rnpu_read(rdev, lo);

	return v | (u64)rnpu_read(rdev, lo + 4) << 32;
}

/* A per-file device address space. */
struct rnpu_vm {
	struct kref ref;
	struct rnpu_device *rdev;
	struct mutex lock;	/* mm, pt, mem_used */
	struct drm_mm mm;
	struct rnpu_pt pt;
	u64 mem_used;
	/* Under rdev->asid_lock: */
	int asid;		/* -1: not bound to a hardware context */
	bool asid_dirty;	/* bound, context registers not yet written */
	u64 lru;
	struct dma_fence *last_fence;
};

struct rnpu_bo {
	struct drm_gem_shmem_object base;
	u32 flags;		/* DRM_RNPU_BO_x */
	bool counted;		/* in rnpu_live.bos */
	struct mutex map_lock;	/* maps */
	struct list_head maps;
};

#define to_rnpu_bo(obj) container_of(to_drm_gem_shmem_obj(obj), struct rnpu_bo, base)

/* One BO mapped in one address space; held by handles and by jobs. */
struct rnpu_mapping {
	struct kref ref;
	struct list_head node;	/* in bo->maps */
	struct rnpu_bo *bo;
	struct rnpu_vm *vm;
	struct drm_mm_node mm;
	u64 size;
};

struct rnpu_fault_rec {
	u64 seqno;
	u64 fault_va;
	u32 error;
	u32 fault_info;
	u32 err_offset;
	u32 detail;
	ktime_t time;
};

/* What JOB_STATUS reports; outlives the job. */
struct rnpu_job_rec {
	struct kref ref;
	u64 seqno;
	u32 state;
	u32 error;
	u32 err_offset;
	u32 fault_info;
	u32 detail;
	u64 fault_va;
	u64 cycles;
	u64 macs;
	u64 dram_bytes;
	u64 sram_bytes;
	u64 submit_ns;
	u64 start_ns;
	u64 end_ns;
	struct dma_fence *done;	/* scheduler finished fence */
};

/* Per open file: the context. */
struct rnpu_ctx {
	struct kref ref;
	struct rnpu_device *rdev;
	struct rnpu_vm *vm;
	struct drm_sched_entity entity[RNPU_NUM_PRIO];
	u64 client_id;
	pid_t pid;
	struct pid *tgid;	/* the opening process, for process bans */
	char comm[TASK_COMM_LEN];
	u64 mem_limit;

	struct mutex submit_lock;	/* seqno order = queue order */
	u64 last_seqno;
	u64 oldest_seqno;	/* records below this were dropped */
	struct xarray recs;

	spinlock_t lock;	/* records' contents, stats, faults, banned */
	bool banned;
	u32 guilty;
	u32 faults;
	u64 busy_ns;
	u64 cnt[DRM_RNPU_CNT_COUNT];
	struct rnpu_fault_rec fault_log[RNPU_FAULT_LOG];
	u32 fault_next;

	struct list_head node;	/* rdev->ctx_list */
};

struct rnpu_job {
	struct drm_sched_job base;
	struct rnpu_device *rdev;
	struct rnpu_ctx *ctx;
	struct rnpu_job_rec *rec;
	struct drm_gem_object **bos;
	struct rnpu_mapping **maps;
	u32 bo_count;
	struct dma_fence **deps;	/* unsignalled inputs, for error propagation */
	u32 ndeps;
	int dep_errno;			/* errno of the failed input */
	struct dma_fence *hw_fence;	/* allocated at submit */
	bool hw_fence_init;
	bool pm_ref;
	u64 cmd_va;
	u32 cmd_size;
	u32 budget;
	u64 hw_seqno;
	u32 slot;
	u32 reset_gen;		/* rdev->reset_gen when put on the ring */
	ktime_t ring_time;	/* when it was put on the ring */
	u64 progress;		/* JOB_PROGRESS at the last timeout */
	struct list_head park_node;	/* rdev->park_list while parked */
};

#define to_rnpu_job(j) container_of(j, struct rnpu_job, base)

/* rnpu_drv.c */
int rnpu_core_probe(struct rnpu_device *rdev);
void rnpu_core_remove(struct rnpu_device *rdev);
extern const struct drm_driver rnpu_drm_driver;
extern const struct dev_pm_ops rnpu_pm_ops;
void rnpu_ctx_put(struct rnpu_ctx *ctx);
void rnpu_ban_process(struct rnpu_device *rdev, struct pid *tgid);

/* rnpu_hw.c */
int rnpu_hw_read_caps(struct rnpu_device *rdev);
int rnpu_hw_power_on(struct rnpu_device *rdev);
void rnpu_hw_power_off(struct rnpu_device *rdev);
int rnpu_hw_init(struct rnpu_device *rdev);
int rnpu_hw_soft_reset(struct rnpu_device *rdev);
void rnpu_hw_read_counters(struct rnpu_device *rdev, u64 *vals);
void rnpu_hw_counters(struct rnpu_device *rdev, u64 *vals);
void rnpu_hw_set_opp(struct rnpu_device *rdev, u32 opp);
bool rnpu_hw_get(struct rnpu_device *rdev, int *idx);
void rnpu_hw_put(struct rnpu_device *rdev, int idx);
int rnpu_hw_tlb_invalidate(struct rnpu_device *rdev, u32 asid);

/* rnpu_mmu.c */
struct rnpu_vm *rnpu_vm_create(struct rnpu_device *rdev);
void rnpu_vm_put(struct rnpu_vm *vm);
int rnpu_vm_map(struct rnpu_vm *vm, struct rnpu_mapping *map,
		struct sg_table *sgt, u64 size, bool read_only, u64 limit);
void rnpu_vm_unmap(struct rnpu_vm *vm, struct rnpu_mapping *map);
struct dma_fence *rnpu_asid_acquire(struct rnpu_device *rdev, struct rnpu_vm *vm);
void rnpu_asid_note(struct rnpu_device *rdev, struct rnpu_vm *vm,
		    struct dma_fence *fence);
void rnpu_asid_program(struct rnpu_device *rdev, struct rnpu_vm *vm,
		       struct dma_fence *fence);
void rnpu_asid_restore(struct rnpu_device *rdev);

/* rnpu_gem.c */
struct drm_gem_object *rnpu_gem_create_object(struct drm_device *dev, size_t size);
struct drm_gem_object *
rnpu_gem_prime_import_sg_table(struct drm_device *dev,
			       struct dma_buf_attachment *attach,
			       struct sg_table *sgt);
struct rnpu_mapping *rnpu_bo_mapping_get(struct rnpu_bo *bo, struct rnpu_vm *vm);
void rnpu_mapping_put(struct rnpu_mapping *map);
int rnpu_ioctl_bo_create(struct drm_device *dev, void *data, struct drm_file *file);
int rnpu_ioctl_bo_info(struct drm_device *dev, void *data, struct drm_file *file);
int rnpu_ioctl_bo_wait(struct drm_device *dev, void *data, struct drm_file *file);

/* rnpu_job.c */
int rnpu_sched_init(struct rnpu_device *rdev);
void rnpu_sched_fini(struct rnpu_device *rdev);
int rnpu_ioctl_submit(struct drm_device *dev, void *data, struct drm_file *file);
int rnpu_ioctl_job_status(struct drm_device *dev, void *data, struct drm_file *file);
void rnpu_job_retire(struct rnpu_device *rdev);
irqreturn_t rnpu_irq_job(int irq, void *arg);
irqreturn_t rnpu_irq_err(int irq, void *arg);
irqreturn_t rnpu_irq_shared(int irq, void *arg);
int rnpu_reset(struct rnpu_device *rdev, struct rnpu_job *bad, u32 reason);
int rnpu_force_reset(struct rnpu_device *rdev);
void rnpu_job_unplug(struct rnpu_device *rdev);
void rnpu_jobs_wait_freed(struct rnpu_device *rdev);
int rnpu_sched_park(struct rnpu_device *rdev, unsigned int timeout_ms);
void rnpu_sched_unpark(struct rnpu_device *rdev);
void rnpu_bus_reset_prepare(struct rnpu_device *rdev, bool hw_usable);
int rnpu_bus_reset_done(struct rnpu_device *rdev);
void rnpu_job_rec_put(struct rnpu_job_rec *rec);
enum drm_sched_priority rnpu_sched_prio(u32 prio);

/* rnpu_pm.c */
int rnpu_pm_init(struct rnpu_device *rdev);
void rnpu_pm_fini(struct rnpu_device *rdev);
int rnpu_runtime_suspend(struct device *dev);
int rnpu_runtime_resume(struct device *dev);
int rnpu_pm_suspend(struct device *dev);
int rnpu_pm_resume(struct device *dev);
u64 rnpu_freq_hz(struct rnpu_device *rdev, u32 opp);
void rnpu_thermal_irq(struct rnpu_device *rdev);
int rnpu_hwmon_init(struct rnpu_device *rdev);
int rnpu_thermal_init(struct rnpu_device *rdev);
void rnpu_thermal_fini(struct rnpu_device *rdev);
void rnpu_pm_set_cap(struct rnpu_device *rdev, u32 cap, s32 temp);

struct rnpu_job;
void rnpu_coredump_init(struct rnpu_device *rdev);
void rnpu_coredump_fini(struct rnpu_device *rdev);
void rnpu_coredump_capture(struct rnpu_device *rdev, struct rnpu_job *job,
			   const char *reason);

/* rnpu_debugfs.c */
void rnpu_debugfs_init(struct rnpu_device *rdev);
void rnpu_debugfs_module_init(void);
void rnpu_debugfs_module_fini(void);

/*
 * Objects alive in the whole module, for leak checks after unbind and
 * unload (debugfs rnpu/live; rnpu_exit reports any left).
 */
struct rnpu_live {
	atomic_t devices;
	atomic_t ctxs;
	atomic_t vms;
	atomic_t jobs;
	atomic_t bos;
};

extern struct rnpu_live rnpu_live;

/* rnpu_netlink.c */
int rnpu_netlink_register(void);
void rnpu_netlink_unregister(void);
void rnpu_event_queue(struct rnpu_device *rdev, const struct rnpu_event *ev);
void rnpu_event_work(struct work_struct *work);

/* rnpu_pci.c, rnpu_platform.c */
extern struct pci_driver rnpu_pci_driver;
extern struct platform_driver rnpu_platform_driver;

#endif /* RNPU_DRV_H */
