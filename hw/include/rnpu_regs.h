/* SPDX-License-Identifier: MIT */
/*
 * rnpu reference NPU: PCI identity, BAR0 register map, job ring, MMU and
 * power/DVFS definitions.  This header is the machine-readable half of
 * hw/SPEC.md and is included unchanged by the kernel driver, the QEMU
 * device and the C++ runtime, so it uses only fixed-width types and
 * plain macros.
 */
#ifndef RNPU_REGS_H
#define RNPU_REGS_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

/* ---- Identity ---------------------------------------------------------- */
#define RNPU_PCI_VENDOR_ID	0x1234	/* QEMU's experimental vendor space */
#define RNPU_PCI_DEVICE_ID	0x4e50	/* "NP" */
#define RNPU_PCI_CLASS		0x1200	/* processing accelerator */
#define RNPU_PCI_REVISION	0x01
#define RNPU_DT_COMPATIBLE	"rnpu,npu-v1"

#define RNPU_ID_MAGIC		0x55504e52u	/* bytes "RNPU" in little-endian order */
#define RNPU_HW_VERSION_MAJOR	1
#define RNPU_HW_VERSION_MINOR	0
#define RNPU_HW_VERSION		((RNPU_HW_VERSION_MAJOR << 16) | (RNPU_HW_VERSION_MINOR << 8))

#define RNPU_BAR0_SIZE		0x10000u	/* 64 KiB of 32-bit registers */
#define RNPU_MSIX_VECTORS	2
#define RNPU_MSIX_VEC_JOB	0	/* JOB_DONE */
#define RNPU_MSIX_VEC_ERR	1	/* JOB_ERROR, MMU_FAULT, WATCHDOG, THERMAL */
/* MSI-X table and PBA live in BAR2 (4 KiB), outside the register file. */
#define RNPU_MSIX_BAR		2

/* ---- Identification and capabilities (read-only) ----------------------- */
#define RNPU_REG_ID		0x0000	/* RNPU_ID_MAGIC */
#define RNPU_REG_VERSION	0x0004	/* RNPU_HW_VERSION */
#define RNPU_REG_CAP_MAC	0x0008	/* [15:0] array rows, [31:16] array cols (int8) */
#define RNPU_REG_CAP_VEC	0x000c	/* vector unit lanes (elements/cycle) */
#define RNPU_REG_CAP_SRAM	0x0010	/* on-chip SRAM size in KiB */
#define RNPU_REG_CAP_DMA	0x0014	/* [15:0] DRAM bytes/cycle, [31:16] SRAM bytes/cycle */
#define RNPU_REG_CAP_DTYPES	0x0018	/* bit (1 << RNPU_DT_x) per supported dtype */
#define RNPU_REG_CAP_OPS	0x001c	/* bit (1 << RNPU_OP_x) per supported opcode, ops 0..31 */
#define RNPU_REG_CAP_OPS_HI	0x0020	/* opcodes 32..63 */
#define RNPU_REG_CAP_CTX	0x0024	/* number of MMU contexts (ASIDs) */
#define RNPU_REG_CAP_VA_BITS	0x0028	/* device virtual address width */
#define RNPU_REG_CAP_OPP	0x002c	/* number of DVFS operating points */
#define RNPU_REG_CAP_CMD_VER	0x0030	/* highest command-stream version accepted */
#define RNPU_REG_CAP_SRAM_VA_LO	0x0034	/* device VA of the SRAM window */
#define RNPU_REG_CAP_SRAM_VA_HI	0x0038

/* ---- Control and status ------------------------------------------------ */
#define RNPU_REG_CTRL		0x0040
#define   RNPU_CTRL_ENABLE	(1u << 0)	/* process the job ring */
#define   RNPU_CTRL_RESET	(1u << 1)	/* soft reset; reads 1 until done */
#define   RNPU_CTRL_CLK_GATE	(1u << 2)	/* gate clocks automatically when idle */
#define RNPU_REG_STATUS		0x0044
#define   RNPU_STATUS_IDLE	(1u << 0)
#define   RNPU_STATUS_BUSY	(1u << 1)
#define   RNPU_STATUS_HUNG	(1u << 2)	/* a fault-injected hang is in progress */
#define   RNPU_STATUS_GATED	(1u << 3)	/* clocks currently gated */
#define RNPU_REG_PWR_CTRL	0x0048	/* requested RNPU_PWR_x */
#define RNPU_REG_PWR_STATUS	0x004c	/* current RNPU_PWR_x */
#define   RNPU_PWR_ON		0
#define   RNPU_PWR_OFF		1	/* all state but identity lost */
#define RNPU_REG_OPP_SEL	0x0050	/* selected operating point index */
#define RNPU_REG_OPP_FREQ	0x0054	/* current frequency, MHz (RO) */
#define RNPU_REG_TEMP		0x0058	/* die temperature, milli-degrees C (RO) */
#define RNPU_REG_WDOG_CYCLES	0x005c	/* default per-job cycle budget, 0 = off */
#define RNPU_REG_POWER		0x0060	/* power draw, milliwatts (RO) */

/* Operating point table, read-only: entry i at RNPU_REG_OPP_TABLE + 8 * i */
#define RNPU_REG_OPP_TABLE	0x0100
#define   RNPU_OPP_FREQ_MHZ(i)	(RNPU_REG_OPP_TABLE + 8 * (i))
#define   RNPU_OPP_UVOLT(i)	(RNPU_REG_OPP_TABLE + 8 * (i) + 4)
#define RNPU_MAX_OPP		8

/* ---- Interrupts --------------------------------------------------------- */
#define RNPU_REG_IRQ_STATUS	0x0080	/* pending causes (RO) */
#define RNPU_REG_IRQ_MASK	0x0084	/* 1 = cause enabled */
#define RNPU_REG_IRQ_CLEAR	0x0088	/* write 1 to clear a cause */
#define   RNPU_IRQ_JOB_DONE	(1u << 0)
#define   RNPU_IRQ_JOB_ERROR	(1u << 1)
#define   RNPU_IRQ_MMU_FAULT	(1u << 2)
#define   RNPU_IRQ_WATCHDOG	(1u << 3)
#define   RNPU_IRQ_THERMAL	(1u << 4)
#define   RNPU_IRQ_ERR_MASK	(RNPU_IRQ_JOB_ERROR | RNPU_IRQ_MMU_FAULT | \
				 RNPU_IRQ_WATCHDOG | RNPU_IRQ_THERMAL)

/* ---- Job ring ------------------------------------------------------------ */
#define RNPU_REG_RING_BASE_LO	0x00c0	/* bus address, 64-byte aligned */
#define RNPU_REG_RING_BASE_HI	0x00c4
#define RNPU_REG_RING_SIZE	0x00c8	/* entries, power of two, 2..4096 */
#define RNPU_REG_RING_HEAD	0x00cc	/* device consumer index (RO) */
#define RNPU_REG_RING_TAIL	0x00d0	/* driver producer index */
#define RNPU_REG_DOORBELL	0x00d4	/* any write: device re-reads RING_TAIL */
#define RNPU_REG_FENCE_LO	0x00d8	/* bus address of a u64 completed seqno */
#define RNPU_REG_FENCE_HI	0x00dc
#define RNPU_REG_DONE_SEQNO_LO	0x00e0	/* last completed seqno (RO) */
#define RNPU_REG_DONE_SEQNO_HI	0x00e4
#define RNPU_REG_ERR_SEQNO_LO	0x00e8	/* seqno of the last failed job (RO) */
#define RNPU_REG_ERR_SEQNO_HI	0x00ec
#define RNPU_REG_ERR_CLASS	0x00f0	/* RNPU_ERR_x of that job (RO) */
#define RNPU_REG_ERR_INFO	0x00f4	/* byte offset of the failing command */
#define RNPU_REG_JOB_PROGRESS_LO 0x00f8	/* cycles the job in flight has run (RO) */
#define RNPU_REG_JOB_PROGRESS_HI 0x00fc
#define RNPU_RING_MAX_ENTRIES	4096

/* ---- MMU ----------------------------------------------------------------- */
#define RNPU_REG_MMU_FAULT_STATUS 0x0200 /* RNPU_FAULT_x, 0 = none; write 0 to clear */
#define   RNPU_FAULT_VALID	(1u << 0)
#define   RNPU_FAULT_TYPE_SHIFT	1
#define   RNPU_FAULT_TYPE_MASK	(7u << 1)
#define   RNPU_FAULT_TRANSLATION 1	/* no valid PTE */
#define   RNPU_FAULT_PERMISSION	2	/* PTE lacks the R or W right */
#define   RNPU_FAULT_ADDR_SIZE	3	/* VA beyond CAP_VA_BITS */
#define   RNPU_FAULT_BAD_CTX	4	/* job names an invalid context */
#define   RNPU_FAULT_WRITE	(1u << 8)	/* faulting access was a write */
#define RNPU_REG_MMU_FAULT_ASID	0x0204
#define RNPU_REG_MMU_FAULT_ADDR_LO 0x0208
#define RNPU_REG_MMU_FAULT_ADDR_HI 0x020c
#define RNPU_REG_MMU_TLB_INV	0x0210	/* write ASID, or RNPU_TLB_INV_ALL */
#define   RNPU_TLB_INV_ALL	(1u << 31)
#define   RNPU_TLB_INV_BUSY	(1u << 0)	/* read: invalidation in progress */
#define   RNPU_TLB_INV_TIMEOUT_US 10	/* BUSY clears within this */

/* Context table: context i at RNPU_REG_CTX_BASE + 16 * i */
#define RNPU_REG_CTX_BASE	0x0400
#define   RNPU_CTX_PT_LO(i)	(RNPU_REG_CTX_BASE + 16 * (i))	/* root table bus addr */
#define   RNPU_CTX_PT_HI(i)	(RNPU_REG_CTX_BASE + 16 * (i) + 4)
#define   RNPU_CTX_CFG(i)	(RNPU_REG_CTX_BASE + 16 * (i) + 8)
#define     RNPU_CTX_CFG_VALID	(1u << 0)
#define     RNPU_CTX_CFG_BYPASS	(1u << 1)	/* VA == bus address; test only */
#define RNPU_MAX_CTX		16

/*
 * Page tables: three levels of 512 x 64-bit entries, 4 KiB pages, 39-bit VA.
 * VA[38:30] indexes level 0, VA[29:21] level 1, VA[20:12] level 2.
 * Every entry: bit 0 VALID, bits [51:12] physical frame.  Level 0 and 1
 * entries point at the next table; level 2 entries map a page with the
 * READ/WRITE rights below.
 */
#define RNPU_PAGE_SHIFT		12
#define RNPU_PAGE_SIZE		(1u << RNPU_PAGE_SHIFT)
#define RNPU_VA_BITS		39
#define RNPU_PT_LEVELS		3
#define RNPU_PT_ENTRIES		512
#define RNPU_PTE_VALID		(1ull << 0)
#define RNPU_PTE_READ		(1ull << 1)
#define RNPU_PTE_WRITE		(1ull << 2)
#define RNPU_PTE_ADDR_MASK	0x000ffffffffff000ull
#define RNPU_PT_INDEX(va, lvl)	(((va) >> (30 - 9 * (lvl))) & 0x1ff)

/* The SRAM window: untranslated, shared, contents undefined between jobs. */
#define RNPU_SRAM_VA		0x7f00000000ull

/* ---- Performance counters (64-bit, LO then HI; RO) ----------------------- */
#define RNPU_REG_PERF_CTRL	0x0300	/* write 1: zero all counters */
#define RNPU_REG_CNT_BASE	0x0310
#define   RNPU_CNT_LO(c)	(RNPU_REG_CNT_BASE + 8 * (c))
#define   RNPU_CNT_HI(c)	(RNPU_REG_CNT_BASE + 8 * (c) + 4)
enum rnpu_counter {
	RNPU_CNT_CYCLES = 0,	/* cycles elapsed while powered on */
	RNPU_CNT_BUSY,		/* cycles spent executing jobs */
	RNPU_CNT_MACS,		/* multiply-accumulates performed */
	RNPU_CNT_DRAM_RD,	/* bytes read from DRAM */
	RNPU_CNT_DRAM_WR,	/* bytes written to DRAM */
	RNPU_CNT_SRAM,		/* bytes read or written in SRAM */
	RNPU_CNT_JOBS,		/* jobs completed, with or without error */
	RNPU_CNT_COUNT
};

/* ---- Fault injection (test aid) ------------------------------------------- */
#define RNPU_REG_FI_CTRL	0x0380	/* one-shot, applies to the next job */
#define   RNPU_FI_HANG		1	/* never complete the job */
#define   RNPU_FI_BAD_SEQNO	2	/* write back a corrupted seqno */
#define   RNPU_FI_MMU_FAULT	3	/* fault at FI_ADDR on first access */
#define   RNPU_FI_INVALID_CMD	4	/* fail the first command as invalid */
#define RNPU_REG_FI_ADDR_LO	0x0384
#define RNPU_REG_FI_ADDR_HI	0x0388

/* ---- Job descriptor (one ring entry, 64 bytes, little-endian) ------------- */
#define RNPU_JOB_F_IRQ		(1u << 0)	/* raise JOB_DONE on success */
#define RNPU_JOB_F_SCRUB_SRAM	(1u << 1)	/* zero the SRAM before the job */

struct rnpu_job_desc {
	uint64_t seqno;		/* written to FENCE and DONE_SEQNO when retired */
	uint64_t cmd_va;	/* command stream, device VA in context @asid */
	uint32_t cmd_size;	/* bytes */
	uint16_t asid;		/* context index, < CAP_CTX */
	uint16_t flags;		/* RNPU_JOB_F_x */
	uint32_t budget;	/* cycle budget; 0 = WDOG_CYCLES */
	uint32_t reserved0;
	uint64_t result_addr;	/* bus address of a struct rnpu_job_result, 0 = none */
	uint64_t reserved[3];
};

/* Error classes, in job results and RNPU_REG_ERR_CLASS. */
enum rnpu_err {
	RNPU_ERR_NONE = 0,
	RNPU_ERR_INVALID_CMD,	/* malformed stream or command */
	RNPU_ERR_MMU_FAULT,	/* translation or permission fault */
	RNPU_ERR_WATCHDOG,	/* budget exceeded */
	RNPU_ERR_BAD_JOB,	/* malformed ring entry (context, size) */
};

/* Written by the device to job.result_addr (bus address) when a job retires. */
struct rnpu_job_result {
	uint64_t seqno;
	uint32_t status;	/* enum rnpu_err */
	uint32_t err_offset;	/* byte offset of the failing command */
	uint64_t fault_addr;	/* faulting VA for RNPU_ERR_MMU_FAULT */
	uint64_t cycles;	/* modelled cycles this job */
	uint64_t macs;
	uint64_t dram_bytes;
	uint64_t sram_bytes;
	uint32_t detail;	/* model error code (enum rnpu_model_status) */
	uint32_t reserved;
};

#endif /* RNPU_REGS_H */
