"""How a curve runs between and beyond its pillars, as ln DF(t) and instantaneous forwards.

Pillars are `(t_i, ln DF_i)` with `t_0 = 0, ln DF_0 = 0`; time is ACT/365F years.

- `log-linear-discount`: ln DF linear between pillars (flat forwards); beyond the last pillar
  the last forward continues.
- `linear-zero`: the continuously compounded zero rate `z = -ln DF / t` linear between pillars,
  the first pillar's zero rate at time 0 (as QuantLib's zero-yield bootstrap has it); beyond the
  last pillar the instantaneous forward at it continues (QuantLib's flat-forward extrapolation).
- `monotone-convex`: Hagan and West's monotone convex forwards (`monotone_convex.py`), which
  keep each interval's average forward, so the pillars' discount factors; non-local, so the
  bootstrap sweeps its pillars until they settle.
- `nelson-siegel`, `svensson`: no pillars, a formula in `params` (`beta0, beta1, beta2, tau1`
  and, for Svensson, `beta3, tau2`): `z(t) = b0 + b1·L(t/τ1) + b2·(L(t/τ1) - e^(-t/τ1))
  [+ b3·(L(t/τ2) - e^(-t/τ2))]` with `L(x) = (1 - e^-x)/x`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from fixed_income_service.domain.monotone_convex import monotone_convex

FloatArray = npt.NDArray[np.float64]
LOG_LINEAR = "log-linear-discount"
LINEAR_ZERO = "linear-zero"
MONOTONE_CONVEX = "monotone-convex"
NELSON_SIEGEL = "nelson-siegel"
SVENSSON = "svensson"
INTERPOLATIONS = (LOG_LINEAR, LINEAR_ZERO, MONOTONE_CONVEX)
MODELS = (NELSON_SIEGEL, SVENSSON)


def log_discount(
    shape: str, knots: FloatArray, logs: FloatArray, params: tuple[float, ...], t: FloatArray
) -> FloatArray:
    """ln DF at times `t`."""
    if shape in MODELS:
        return -_model_zero(params, t) * t
    if shape == LINEAR_ZERO:
        return _linear_zero_log_discount(knots, logs, t)
    if shape == MONOTONE_CONVEX:
        return monotone_convex(knots, logs, t)[0]
    inside = np.interp(t, knots, logs)
    slope = (logs[-1] - logs[-2]) / (knots[-1] - knots[-2])
    values: FloatArray = np.where(t > knots[-1], logs[-1] + slope * (t - knots[-1]), inside)
    return values


def forward(
    shape: str, knots: FloatArray, logs: FloatArray, params: tuple[float, ...], t: FloatArray
) -> FloatArray:
    """Instantaneous forward rates at `t`."""
    if shape in MODELS:
        return _model_forward(params, t)
    if shape == MONOTONE_CONVEX:
        return monotone_convex(knots, logs, t)[1]
    if shape == LINEAR_ZERO:
        zeros, slopes, segment = _zero_segments(knots, logs, t)
        last = zeros[-1] + knots[-1] * slopes[-1]
        within = zeros[segment] + slopes[segment] * (t - knots[segment])
        rates: FloatArray = np.where(t > knots[-1], last, within + t * slopes[segment])
        return rates
    slopes = -np.diff(logs) / np.diff(knots)
    segment = np.clip(np.searchsorted(knots, t, side="right") - 1, 0, len(slopes) - 1)
    flat: FloatArray = slopes[segment]
    return flat


def _zero_segments(
    knots: FloatArray, logs: FloatArray, t: FloatArray
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int64]]:
    zeros = np.empty(len(knots))
    zeros[1:] = -logs[1:] / knots[1:]
    zeros[0] = zeros[1]
    slopes = np.diff(zeros) / np.diff(knots)
    segment = np.clip(np.searchsorted(knots, t, side="right") - 1, 0, len(slopes) - 1)
    return zeros, slopes, segment


def _linear_zero_log_discount(knots: FloatArray, logs: FloatArray, t: FloatArray) -> FloatArray:
    zeros, slopes, _ = _zero_segments(knots, logs, t)
    inside = -np.interp(t, knots, zeros) * t
    last_forward = zeros[-1] + knots[-1] * slopes[-1]
    beyond = logs[-1] - last_forward * (t - knots[-1])
    values: FloatArray = np.where(t > knots[-1], beyond, inside)
    return values


def _loading(x: FloatArray) -> FloatArray:
    # (1 - e^-x)/x, with its limit 1 at x = 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        value = -np.expm1(-x) / x
    loading: FloatArray = np.where(x > 1e-12, value, 1.0 - x / 2.0)
    return loading


def _model_zero(params: tuple[float, ...], t: FloatArray) -> FloatArray:
    b0, b1, b2, tau1 = params[:4]
    first = _loading(t / tau1)
    zero: FloatArray = b0 + b1 * first + b2 * (first - np.exp(-t / tau1))
    if len(params) == 6:
        b3, tau2 = params[4:]
        zero = zero + b3 * (_loading(t / tau2) - np.exp(-t / tau2))
    return zero


def _model_forward(params: tuple[float, ...], t: FloatArray) -> FloatArray:
    b0, b1, b2, tau1 = params[:4]
    decay = np.exp(-t / tau1)
    rate: FloatArray = b0 + b1 * decay + b2 * (t / tau1) * decay
    if len(params) == 6:
        b3, tau2 = params[4:]
        rate = rate + b3 * (t / tau2) * np.exp(-t / tau2)
    return rate
