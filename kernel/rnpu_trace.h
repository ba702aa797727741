/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rnpu tracepoints: the life of a job and device resets.
 * Enable with: echo 1 > /sys/kernel/tracing/events/rnpu/enable
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM rnpu

#if !defined(_RNPU_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _RNPU_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(rnpu_job_submit,
	    TP_PROTO(u64 client_id, u64 seqno, u64 cmd_va, u32 cmd_size,
		     u32 bo_count, u32 prio),
	    TP_ARGS(client_id, seqno, cmd_va, cmd_size, bo_count, prio),
	    TP_STRUCT__entry(__field(u64, client_id)
			     __field(u64, seqno)
			     __field(u64, cmd_va)
			     __field(u32, cmd_size)
			     __field(u32, bo_count)
			     __field(u32, prio)),
	    TP_fast_assign(__entry->client_id = client_id;
			   __entry->seqno = seqno;
			   __entry->cmd_va = cmd_va;
			   __entry->cmd_size = cmd_size;
			   __entry->bo_count = bo_count;
			   __entry->prio = prio;),
	    TP_printk("client=%llu seqno=%llu cmd_va=0x%llx cmd_size=%u bos=%u prio=%u",
		      __entry->client_id, __entry->seqno, __entry->cmd_va,
		      __entry->cmd_size, __entry->bo_count, __entry->prio)
);

TRACE_EVENT(rnpu_job_run,
	    TP_PROTO(u64 seqno, u64 hw_seqno, int asid, u32 slot),
	    TP_ARGS(seqno, hw_seqno, asid, slot),
	    TP_STRUCT__entry(__field(u64, seqno)
			     __field(u64, hw_seqno)
			     __field(int, asid)
			     __field(u32, slot)),
	    TP_fast_assign(__entry->seqno = seqno;
			   __entry->hw_seqno = hw_seqno;
			   __entry->asid = asid;
			   __entry->slot = slot;),
	    TP_printk("seqno=%llu hw_seqno=%llu asid=%d slot=%u", __entry->seqno,
		      __entry->hw_seqno, __entry->asid, __entry->slot)
);

TRACE_EVENT(rnpu_job_done,
	    TP_PROTO(u64 seqno, u64 hw_seqno, u32 error, u64 cycles),
	    TP_ARGS(seqno, hw_seqno, error, cycles),
	    TP_STRUCT__entry(__field(u64, seqno)
			     __field(u64, hw_seqno)
			     __field(u32, error)
			     __field(u64, cycles)),
	    TP_fast_assign(__entry->seqno = seqno;
			   __entry->hw_seqno = hw_seqno;
			   __entry->error = error;
			   __entry->cycles = cycles;),
	    TP_printk("seqno=%llu hw_seqno=%llu error=%u cycles=%llu",
		      __entry->seqno, __entry->hw_seqno, __entry->error,
		      __entry->cycles)
);

TRACE_EVENT(rnpu_job_fault,
	    TP_PROTO(u64 seqno, u64 hw_seqno, u32 error, u64 fault_va,
		     u32 fault_info, u32 err_offset),
	    TP_ARGS(seqno, hw_seqno, error, fault_va, fault_info, err_offset),
	    TP_STRUCT__entry(__field(u64, seqno)
			     __field(u64, hw_seqno)
			     __field(u32, error)
			     __field(u64, fault_va)
			     __field(u32, fault_info)
			     __field(u32, err_offset)),
	    TP_fast_assign(__entry->seqno = seqno;
			   __entry->hw_seqno = hw_seqno;
			   __entry->error = error;
			   __entry->fault_va = fault_va;
			   __entry->fault_info = fault_info;
			   __entry->err_offset = err_offset;),
	    TP_printk("seqno=%llu hw_seqno=%llu error=%u fault_va=0x%llx info=0x%x offset=%u",
		      __entry->seqno, __entry->hw_seqno, __entry->error,
		      __entry->fault_va, __entry->fault_info, __entry->err_offset)
);

TRACE_EVENT(rnpu_reset,
	    TP_PROTO(u32 reason, u32 count, u64 guilty_seqno, u32 jobs),
	    TP_ARGS(reason, count, guilty_seqno, jobs),
	    TP_STRUCT__entry(__field(u32, reason)
			     __field(u32, count)
			     __field(u64, guilty_seqno)
			     __field(u32, jobs)),
	    TP_fast_assign(__entry->reason = reason;
			   __entry->count = count;
			   __entry->guilty_seqno = guilty_seqno;
			   __entry->jobs = jobs;),
	    TP_printk("reason=%u resets=%u guilty_seqno=%llu jobs_on_ring=%u",
		      __entry->reason, __entry->count, __entry->guilty_seqno,
		      __entry->jobs)
);

TRACE_EVENT(rnpu_freq,
	    TP_PROTO(u32 old_mhz, u32 new_mhz, u32 reason),
	    TP_ARGS(old_mhz, new_mhz, reason),
	    TP_STRUCT__entry(__field(u32, old_mhz)
			     __field(u32, new_mhz)
			     __field(u32, reason)),
	    TP_fast_assign(__entry->old_mhz = old_mhz;
			   __entry->new_mhz = new_mhz;
			   __entry->reason = reason;),
	    TP_printk("%u MHz -> %u MHz reason=%u", __entry->old_mhz,
		      __entry->new_mhz, __entry->reason)
);

#endif /* _RNPU_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE rnpu_trace
#include <trace/define_trace.h>
