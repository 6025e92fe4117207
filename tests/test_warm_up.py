"""A worker prepares its pages and guidance before it answers anyone (views/warm.py)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from reports.guidance import plain
from reports.language import LANGUAGES
from views import warm
from views.warm import prepare_worker, warm_up


def test_after_warming_up_no_page_template_is_compiled_again(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    assert warm_up(app) >= 0
    pages = [name for name in app.jinja_env.list_templates(extensions=["html"])
             if not name.startswith("export/")]
    assert "editor.html" in pages and "index.html" in pages

    def compile_again(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"compiled after the warm-up: {args[1:2]}")

    monkeypatch.setattr(app.jinja_env, "compile", compile_again)
    for name in pages:
        app.jinja_env.get_template(name)


def test_every_language_s_reading_ease_dictionary_is_loaded(app: Flask) -> None:
    plain._warm.cache_clear()
    warm_up(app)
    assert plain._warm.cache_info().currsize == len(LANGUAGES)
    calls = plain._warm.cache_info().hits
    # What the guided page asks for on its first render is then already there.
    for language in LANGUAGES:
        plain.warm_up(plain.glossary_for(language))
    assert plain._warm.cache_info().hits == calls + len(LANGUAGES)


def test_a_prepared_worker_keeps_what_it_made_out_of_the_collector_s_way(
        app: Flask) -> None:
    frozen_before = gc.get_freeze_count()
    try:
        assert prepare_worker(app) >= 0
        assert gc.get_freeze_count() > frozen_before
        assert app.jinja_env.cache is not None
        assert any(name == "editor.html" for _, name in app.jinja_env.cache)
    finally:
        gc.unfreeze()  # this test process goes on making and dropping apps


def test_a_worker_whose_warm_up_fails_is_still_frozen_and_says_why(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> float:
        raise OSError("the dictionary could not be read")

    monkeypatch.setattr(warm, "warm_up_guidance", broken)
    frozen_before = gc.get_freeze_count()
    try:
        with pytest.raises(OSError, match="dictionary"):
            prepare_worker(app)
        assert gc.get_freeze_count() > frozen_before
    finally:
        gc.unfreeze()


def test_the_server_prepares_each_worker_this_way() -> None:
    config = (Path(__file__).resolve().parent.parent / "gunicorn.conf.py").read_text()
    hook = config[config.index("def post_worker_init"):]
    assert "prepare_worker(worker.wsgi)" in hook
