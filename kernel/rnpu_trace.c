// SPDX-License-Identifier: GPL-2.0-only
/* rnpu tracepoint definitions. */
#define CREATE_TRACE_POINTS
#include "rnpu_trace.h"
