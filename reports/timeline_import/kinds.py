"""A first guess at an event's kind from its words; the author can always change it.

Each kind has strong words (worth 6 to 8) and weak ones (1 or 2); the kind with most points
wins, and a tie goes to the kind listed first in ``ORDER``. Words after "not" or "no longer" do
not count, so "not resolved yet" is no resolution.
"""

from __future__ import annotations

import re

_W = r"(?:\w|-)*"
RULES: tuple[tuple[str, int, re.Pattern[str]], ...] = tuple(
    (kind, weight, re.compile(pattern, re.IGNORECASE)) for kind, weight, pattern in (
        ("client_communication", 8,
         r"\b(e-?mail(?:ed|ing)? (?:the |all |our )?(?:customers?|clients?|users)|e-?mailed"
         r"|status ?page|status update|posted an? update|notif(?:y|ied|ying) (?:the |all )?"
         r"(?:customers?|clients?|users)|customer (?:update|notice|comms?)|told (?:the )?"
         r"(?:customers?|clients?)|sent (?:an? )?(?:update|notice|message) to)\b"),
        ("client_communication", 1,
         r"\b(customers?|clients?|announc\w*|tweet\w*|communicat\w*|support tickets?)\b"),
        ("resolution", 6,
         r"\b(resolved|recovered|all[- ]clear|back to normal|fully (?:operational|restored)"
         r"|incident (?:is )?(?:over|closed)|clos(?:ed|ing) (?:the )?incident|service restored"
         r"|stood down|stand(?:ing)? down)\b"),
        ("resolution", 2,
         r"\b(fixed|healthy|green again|stable|back (?:under|below|to) (?:normal|\d\S*))"),
        ("mitigation", 6,
         rf"\b(roll(?:ed|ing)?[ -]?back{_W}|rollback{_W}|revert{_W}|mitigat{_W}"
         rf"|fail(?:ed|ing)?[ -]?over|failover|workaround|hotfix{_W})\b"),
        ("mitigation", 2,
         r"\b(restart(?:ed|ing)?|scal(?:ed|ing) (?:up|out)|drain(?:ed|ing)?|disabled?"
         r"|moved (?:the )?traffic|traffic (?:moved|shifted|switched)|moved back"
         r"|switched (?:back|over)"
         r"|rate[- ]limit\w*|blocked|patched)\b"),
        ("config_change", 6,
         r"\b(config\w*|feature[- ]?flags?|flags?|settings?|toggle[ds]?|feature toggle"
         r"|environment variables?|env vars?)\b"),
        ("config_change", 2, r"\b(parameters?|dns|firewall|terraform|threshold|changed)\b"),
        ("deploy", 6,
         rf"\b(deploy{_W}|roll(?:ed|ing)?[ -]?out|rollout|releas{_W}|went live|go[- ]live"
         rf"|shipp(?:ed|ing))\b"),
        ("deploy", 2, r"\b(merged?|upgrade[ds]?|migration|version \d\S*|v\d+\.\d\S*)\b"),
        ("discovery", 6,
         r"\b(alert\w*|paged?|paging|noticed|detected|triggered|firing|fired"
         r"|incident (?:declared|opened|started)|declar(?:ed|ing) (?:an? )?incident)\b"),
        ("discovery", 2,
         r"\b(errors?|5\d\d|5xx|investigating|on-?call|monitor\w*|acknowledged|seeing|spike\w*"
         r"|latency|timeouts?|down|failing|reported)\b"),
    )
)
ORDER = ("client_communication", "resolution", "mitigation", "config_change", "deploy",
         "discovery")
_NEGATED = re.compile(
    r"\b(?:not|n't|never|no longer|no|without)\s+(?:yet\s+|been\s+|fully\s+|a\s+|the\s+)?"
    r"[\w-]+", re.IGNORECASE)


def guess_kind(text: str, hint: str = "") -> str:
    """The likeliest of reports.model.EVENT_KINDS for an event's words ("other" when none)."""
    words = _NEGATED.sub(" ", f"{hint} {text}"[:5_000])
    scores: dict[str, int] = {}
    for kind, weight, pattern in RULES:
        found = len(pattern.findall(words))
        if found:
            scores[kind] = scores.get(kind, 0) + weight * min(found, 3)
    if not scores:
        return "other"
    best = max(scores.values())
    return next(kind for kind in ORDER if scores.get(kind) == best)
