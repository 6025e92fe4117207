"""Guidance for authors: blaming wording, the apology coach, plain language and reading ease, and
what a report still needs. Pure Python, no Flask."""

from .apology import apology_hints
from .blameless import Hint, blameless_hints, load_rules, report_hints
from .client import report_guidance, text_hints
from .plain import Readability, plain_hints, readability
from .readiness import Check, readiness

__all__ = ["Check", "Hint", "Readability", "apology_hints", "blameless_hints", "load_rules",
           "plain_hints", "readability", "readiness", "report_guidance", "report_hints",
           "text_hints"]
