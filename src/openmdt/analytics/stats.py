"""Proportions with 95% Wilson score intervals, and Cohen's kappa between two raters.

The Wilson interval is SciPy's (``binomtest(...).proportion_ci(method="wilson")``, the score
interval without continuity correction: Wilson, J Am Stat Assoc 1927;22:209-212). Cohen's
kappa is (p_o - p_e) / (1 - p_e) over the items both raters labelled (Cohen, Educ Psychol
Meas 1960;20:37-46): p_o the share of items with the same label, p_e the agreement expected
by chance from each rater's label shares.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Kappa", "Proportion", "cohen_kappa", "proportion"]


@dataclass(frozen=True)
class Proportion:
    """``count`` of ``total``, the rate and its 95% Wilson interval (None when total is 0)."""

    count: int
    total: int
    rate: float | None
    ci95: tuple[float, float] | None

    def to_dict(self) -> dict[str, object]:
        return {"count": self.count, "total": self.total, "rate": self.rate,
                "ci95": list(self.ci95) if self.ci95 is not None else None}

    def text(self) -> str:
        """'45 of 50 (90.0%, 95% CI 78.6% to 95.7%)', or 'none to count yet (0 of 0)' when
        nothing was counted (no rate exists, rather than a rate of 0%)."""
        if self.total == 0:
            return "none to count yet (0 of 0)"
        if self.rate is None or self.ci95 is None:
            return f"{self.count} of {self.total}"
        low, high = self.ci95
        return (f"{self.count} of {self.total} ({self.rate:.1%}, 95% CI {low:.1%} to "
                f"{high:.1%})")


@lru_cache(maxsize=65_536)
def proportion(count: int, total: int) -> Proportion:
    """The share ``count / total`` with its 95% Wilson score interval."""
    if total == 0:
        return Proportion(count, total, None, None)
    from scipy.stats import binomtest

    interval = binomtest(count, total).proportion_ci(confidence_level=0.95, method="wilson")
    return Proportion(count, total, count / total, (float(interval.low), float(interval.high)))


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa over ``n`` items both raters labelled, with its parts."""

    n: int
    observed_agreement: float | None
    expected_agreement: float | None
    kappa: float | None  # None without items, or when chance agreement is 1 (one label only)

    def to_dict(self) -> dict[str, object]:
        return {"n": self.n, "kappa": self.kappa, "observed_agreement": self.observed_agreement,
                "expected_agreement": self.expected_agreement}


def cohen_kappa(pairs: Iterable[tuple[str, str]]) -> Kappa:
    """Cohen's kappa of (first rater's label, second rater's label) pairs."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return Kappa(0, None, None, None)
    observed = sum(a == b for a, b in pairs) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    if expected == 1:
        return Kappa(n, observed, expected, None)
    return Kappa(n, observed, expected, (observed - expected) / (1 - expected))
