// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rnpu power, clocks and temperature.  Counters and temperature are
 * advanced lazily to the current virtual time whenever something that
 * changes their rate (power, operating point, busy, clock gating) is about
 * to change, and when they are read.
 *
 * Thermal model: first order, T -> ambient + R_th * P with time constant
 * TAU.  P = leakage (while on) + clock tree (while on and not gated) +
 * switching (while busy); the last two scale with f * V^2.  Sustained
 * full load at the top operating point settles just above the trip point,
 * so a driver's thermal throttling has something real to react to.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include <math.h>

#include "rnpu-dev.h"

#define AMBIENT_C	35.0
#define RTH_C_PER_W	12.0
#define TAU_S		2.0
#define P_LEAK_W	0.25
#define P_CLOCK_W	0.5
#define P_BUSY_W	3.5
#define TRIP_C		85.0
#define TRIP_HYST_C	5.0

uint32_t rnpu_freq_mhz(RnpuState *s)
{
	return s->cfg.opp_mhz[s->opp];
}

bool rnpu_gated(RnpuState *s)
{
	return s->pwr == RNPU_PWR_ON && (s->ctrl & RNPU_CTRL_CLK_GATE) &&
	       !s->busy;
}

static double power_w(RnpuState *s)
{
	const struct rnpu_model_config *c = &s->cfg;
	uint32_t top = c->num_opp - 1;
	double f = (double)c->opp_mhz[s->opp] / c->opp_mhz[top];
	double v = c->opp_uv[top] ? (double)c->opp_uv[s->opp] / c->opp_uv[top] : 1.0;
	double p;

	if (s->pwr != RNPU_PWR_ON)
		return 0.0;
	p = P_LEAK_W * v * v;
	if (!rnpu_gated(s))
		p += P_CLOCK_W * f * v * v;
	if (s->busy)
		p += P_BUSY_W * f * v * v;
	return p;
}

void rnpu_clock_advance(RnpuState *s)
{
	int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
	int64_t dt = now - s->clk_ns;
	double target, decay;

	if (dt <= 0)
		return;
	if (s->pwr == RNPU_PWR_ON) {
		uint64_t t = (uint64_t)dt * rnpu_freq_mhz(s) + s->cyc_rem;

		s->cnt[RNPU_CNT_CYCLES] += t / 1000;
		s->cyc_rem = t % 1000;
	}
	target = AMBIENT_C + RTH_C_PER_W * power_w(s);
	decay = exp(-(double)dt / (TAU_S * 1e9));
	s->temp_c = target + (s->temp_c - target) * decay;
	s->clk_ns = now;

	if (!s->thermal_hot && s->temp_c >= TRIP_C) {
		s->thermal_hot = true;
		rnpu_irq_raise(s, RNPU_IRQ_THERMAL);
	} else if (s->thermal_hot && s->temp_c < TRIP_C - TRIP_HYST_C) {
		s->thermal_hot = false;
	}
}

/* What the thermal model heats the die with, for the POWER register. */
uint32_t rnpu_power_mw(RnpuState *s)
{
	rnpu_clock_advance(s);
	return (uint32_t)lround(power_w(s) * 1000.0);
}

uint32_t rnpu_temp_mc(RnpuState *s)
{
	rnpu_clock_advance(s);
	return (uint32_t)lround(s->temp_c * 1000.0);
}

/*
 * A new operating point also applies to the job in flight: its remaining
 * cycles are re-timed at the new frequency.
 */
void rnpu_set_opp(RnpuState *s, uint32_t opp)
{
	int64_t now;

	if (opp >= s->cfg.num_opp) {
		qemu_log_mask(LOG_GUEST_ERROR, "rnpu: OPP_SEL %u out of range\n",
			      opp);
		return;
	}
	rnpu_clock_advance(s);
	now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
	if (s->busy && !s->hung && s->job_end_ns > now) {
		uint64_t left = (uint64_t)(s->job_end_ns - now) *
				rnpu_freq_mhz(s) / 1000;

		s->job_end_ns = now + rnpu_cycles_to_ns(left,
							 s->cfg.opp_mhz[opp]);
		timer_mod(&s->job_timer, s->job_end_ns);
	}
	s->opp = opp;
}

void rnpu_set_power(RnpuState *s, uint32_t pwr)
{
	if (pwr != RNPU_PWR_ON && pwr != RNPU_PWR_OFF) {
		qemu_log_mask(LOG_GUEST_ERROR, "rnpu: bad PWR_CTRL %u\n", pwr);
		return;
	}
	if (pwr == s->pwr)
		return;
	rnpu_clock_advance(s);
	if (pwr == RNPU_PWR_OFF)
		rnpu_power_init(s);	/* everything but identity is lost */
	s->pwr = pwr;
}

/* Power-on state of everything the power domain holds. */
void rnpu_power_init(RnpuState *s)
{
	rnpu_soft_reset(s);
	s->ctrl = 0;
	s->irq_mask = 0;
	s->wdog_cycles = 0;
	s->opp = s->cfg.num_opp - 1;
	memset(s->cnt, 0, sizeof(s->cnt));
	s->cyc_rem = 0;
	memset(rnpu_model_sram(s->model), 0, (size_t)s->cfg.sram_kib * 1024);
}
