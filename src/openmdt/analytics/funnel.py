"""Funnel plot control limits for a proportion: exact binomial limits around a target.

For a target rate p0 and n cases, the limit at probability p is (r_p - a) / n, where r_p is
the smallest r with P(R <= r) >= p for R ~ Binomial(n, p0), and
a = (P(R <= r_p) - p) / (P(R <= r_p) - P(R <= r_p - 1)) interpolates between whole counts
(Spiegelhalter, Stat Med 2005;24:1185-1202, appendix A.1.1). The 95% limits use p = 0.025
and 0.975, the 99.8% limits p = 0.001 and 0.999. The target is the alliance's pooled rate.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COVERAGES", "FunnelLimits", "funnel_limit", "funnel_limits", "position"]

COVERAGES = (0.95, 0.998)


def funnel_limit(target: float, n: int, probability: float) -> float:
    """The control limit at one probability for ``n`` cases around ``target`` (0 to 1)."""
    if n < 1 or not 0 <= target <= 1 or not 0 < probability < 1:
        raise ValueError(f"funnel limit needs n >= 1 (got {n}), a target rate between 0 and "
                         f"1 (got {target}) and a probability strictly between 0 and 1 "
                         f"(got {probability})")
    from scipy.stats import binom

    r = float(binom.ppf(probability, n, target))
    at_r = float(binom.cdf(r, n, target))
    below = float(binom.cdf(r - 1, n, target)) if r >= 1 else 0.0
    step = at_r - below
    alpha = (at_r - probability) / step if step > 0 else 0.0
    return min(max((r - alpha) / n, 0.0), 1.0)


@dataclass(frozen=True)
class FunnelLimits:
    """The 95% and 99.8% limits for one number of cases."""

    n: int
    lower95: float
    upper95: float
    lower998: float
    upper998: float


def funnel_limits(target: float, n: int) -> FunnelLimits:
    """The four limits (95% and 99.8%, lower and upper) for ``n`` cases."""
    return FunnelLimits(n, funnel_limit(target, n, 0.025), funnel_limit(target, n, 0.975),
                        funnel_limit(target, n, 0.001), funnel_limit(target, n, 0.999))


def position(rate: float, limits: FunnelLimits) -> str:
    """Where a rate lies: within the 95% limits, or beyond the 95% or the 99.8% limits."""
    if rate > limits.upper998:
        return "above 99.8% limit"
    if rate > limits.upper95:
        return "above 95% limit"
    if rate < limits.lower998:
        return "below 99.8% limit"
    if rate < limits.lower95:
        return "below 95% limit"
    return "within limits"
