"""Guidance for authors: blaming wording and what a report still needs. Pure Python, no Flask."""

from .blameless import Hint, blameless_hints, load_rules, report_hints
from .readiness import Check, readiness

__all__ = ["Check", "Hint", "blameless_hints", "load_rules", "readiness", "report_hints"]
