"""A worker's first page, drawn as quickly as its next ones: what is compiled or loaded on first
use is done before the worker answers anyone (gunicorn.conf.py ``post_worker_init``).

Measured on the project's machine, the first guided page of a new worker took 1.9 s and the
next 40 ms: 1.5 s loading the reading-ease formula's dictionary, 0.4 s compiling templates.
"""

from __future__ import annotations

import gc
import time

from flask import Flask

from reports.guidance.warm import warm_up_guidance


def warm_up(app: Flask) -> float:
    """Compile every template and give the guidance its first run; the seconds it took."""
    started = time.perf_counter()
    for name in app.jinja_env.list_templates(extensions=["html"]):
        if not name.startswith("export/"):  # the exports' own templates, their own environment
            app.jinja_env.get_template(name)
    warm_up_guidance()
    return time.perf_counter() - started


def prepare_worker(app: Flask) -> float:
    """Ready a serving process: ``warm_up``, then put what it holds out of the collector's way.

    Everything made while the app started and warmed up (templates, rules, catalogues: about
    half a million objects) lives as long as the process, yet Python's garbage collector walks
    it again at each full collection, and drawing a long guided page allocates enough to set
    off several. ``gc.freeze`` moves it all to a generation the collector leaves alone: it took
    a fifth off the server time of the issue's 200-event page (bench/bench_editor.py). Frozen
    even when the warm-up failed: the app itself started.
    """
    try:
        return warm_up(app)
    finally:
        gc.freeze()
