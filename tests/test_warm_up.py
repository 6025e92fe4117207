"""A worker prepares its pages and guidance before it answers anyone (views/warm.py)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from reports.guidance import plain
from reports.language import LANGUAGES
from views.warm import warm_up


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
