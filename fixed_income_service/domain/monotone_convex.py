"""Hagan and West's monotone convex interpolation of instantaneous forwards ("Interpolation
Methods for Curve Construction", Applied Mathematical Finance 13(2), 2006), the basic method.

Pillars `t_0 = 0 < t_1 < ... < t_n` with `ln DF_i`; `d_i = -(ln DF_i - ln DF_(i-1)) / Δ_i` is the
discrete (average) forward of interval i. Node forwards are the Δ-weighted averages of the
neighbouring discrete forwards, `f_0 = 1.5·d_1 - 0.5·f_1`, `f_n = 1.5·d_n - 0.5·f_(n-1)`. On each
interval `f = d_i + g(x)`, `x` the position in it, with `g` quadratic or piecewise quadratic by
which of the paper's four regions `(g0, g1) = (f_(i-1) - d_i, f_i - d_i)` falls in; `∫ g = 0`
over the interval, so the pillars' discount factors are kept exactly. Beyond the last pillar the
forward stays `f_n`. One interval alone is a flat forward.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
ZERO, QUADRATIC, RISING, FALLING, MIXED = 0, 1, 2, 3, 4


def _intervals(knots: FloatArray, logs: FloatArray) -> tuple[FloatArray, ...]:
    widths = np.diff(knots)
    discrete = -np.diff(logs) / widths
    n = len(discrete)
    nodes = np.empty(n + 1)
    if n == 1:
        nodes[:] = discrete[0]
    else:
        left, right = widths[:-1], widths[1:]
        nodes[1:-1] = (right * discrete[:-1] + left * discrete[1:]) / (left + right)
        nodes[0] = 1.5 * discrete[0] - 0.5 * nodes[1]
        nodes[-1] = 1.5 * discrete[-1] - 0.5 * nodes[-2]
    g0, g1 = nodes[:-1] - discrete, nodes[1:] - discrete
    region = np.full(n, MIXED)
    mixed_region = ((g0 >= 0) & (g1 >= 0)) | ((g0 <= 0) & (g1 <= 0))
    region[mixed_region] = MIXED
    falling = ((g0 > 0) & (g1 < 0) & (g1 > -0.5 * g0)) | ((g0 < 0) & (g1 > 0) & (g1 < -0.5 * g0))
    region[falling] = FALLING
    rising = ((g0 < 0) & (g1 > -2.0 * g0)) | ((g0 > 0) & (g1 < -2.0 * g0))
    region[rising] = RISING
    quadratic = ((g0 > 0) & (-0.5 * g0 >= g1) & (g1 >= -2.0 * g0)) | (
        (g0 < 0) & (-0.5 * g0 <= g1) & (g1 <= -2.0 * g0)
    )
    region[quadratic] = QUADRATIC
    region[(np.abs(g0) < 1e-14) & (np.abs(g1) < 1e-14)] = ZERO
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.select(
            [region == RISING, region == FALLING, region == MIXED],
            [(g1 + 2.0 * g0) / (g1 - g0), 3.0 * g1 / (g1 - g0), g1 / (g1 + g0)],
            0.0,
        )
        level = np.where(region == MIXED, -g0 * g1 / (g0 + g1), 0.0)
    return widths, discrete, nodes, g0, g1, region, np.nan_to_num(eta), np.nan_to_num(level)


def _g_and_integral(
    x: FloatArray, g0: FloatArray, g1: FloatArray, region: FloatArray, eta: FloatArray,
    level: FloatArray,
) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """g(x) and its integral from 0 to x, per region (x in [0, 1])."""
    safe_eta = np.where(eta > 0, eta, 1.0)
    safe_rest = np.where(eta < 1, 1.0 - eta, 1.0)
    before = x <= eta
    after_x = np.maximum(x - eta, 0.0)
    to_eta = np.maximum(eta - x, 0.0)
    quad_g = g0 * (1 - 4 * x + 3 * x**2) + g1 * (-2 * x + 3 * x**2)
    quad_i = g0 * (x - 2 * x**2 + x**3) + g1 * (-(x**2) + x**3)
    rise_g = g0 + (g1 - g0) * (after_x / safe_rest) ** 2
    rise_i = g0 * x + (g1 - g0) * after_x**3 / (3 * safe_rest**2)
    fall_g = np.where(before, g1 + (g0 - g1) * (to_eta / safe_eta) ** 2, g1)
    fall_i = g1 * x + (g0 - g1) * (eta**3 - to_eta**3) / (3 * safe_eta**2)
    head = level + (g0 - level) * (to_eta / safe_eta) ** 2
    tail = level + (g1 - level) * (after_x / safe_rest) ** 2
    mix_g = np.where(before & (eta > 0), head, tail)
    mix_i = (
        level * x
        + (g0 - level) * (eta**3 - to_eta**3) / (3 * safe_eta**2) * (eta > 0)
        + (g1 - level) * after_x**3 / (3 * safe_rest**2)
    )
    g = np.select(
        [region == QUADRATIC, region == RISING, region == FALLING, region == MIXED],
        [quad_g, rise_g, fall_g, mix_g], 0.0,
    )  # fmt: skip
    integral = np.select(
        [region == QUADRATIC, region == RISING, region == FALLING, region == MIXED],
        [quad_i, rise_i, fall_i, mix_i], 0.0,
    )  # fmt: skip
    return g, integral


def monotone_convex(
    knots: FloatArray, logs: FloatArray, t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(ln DF, instantaneous forward) at times `t`."""
    widths, discrete, nodes, g0, g1, region, eta, level = _intervals(knots, logs)
    i = np.clip(np.searchsorted(knots, t, side="right") - 1, 0, len(widths) - 1)
    inside = t <= knots[-1]
    x = np.clip((t - knots[i]) / widths[i], 0.0, 1.0)
    g, integral = _g_and_integral(x, g0[i], g1[i], region[i], eta[i], level[i])
    log_df = logs[i] - widths[i] * (discrete[i] * x + integral)
    forward = discrete[i] + g
    beyond_log = logs[-1] - nodes[-1] * (t - knots[-1])
    return np.where(inside, log_df, beyond_log), np.where(inside, forward, nodes[-1])
