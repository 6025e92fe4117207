"""The interface's language: chosen by the person (the switch on every page, remembered in a
cookie), else their browser's ``Accept-Language``, else English.

A report's exports use the report's own language instead (``reports/language.py``), whatever
the interface speaks. Dates, times and numbers on the pages follow the interface's language.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from flask import Blueprint, Flask, has_request_context, redirect, request
from flask_babel import Babel, force_locale, get_locale
from werkzeug.wrappers import Response

from reports import language as lang
from reports.model import STATUSES
from views.hosts import page_of_this_site
from views.js_words import js_words
from views.permissions import PUBLIC, allow

bp = Blueprint("language", __name__)
T = TypeVar("T")
COOKIE = "hindsight_language"
COOKIE_DAYS = 365


def chosen_language() -> str:
    """The language of this request's pages."""
    if not has_request_context():
        return lang.DEFAULT_LANGUAGE
    remembered = request.cookies.get(COOKIE)
    if remembered in lang.LANGUAGES:
        return remembered
    return request.accept_languages.best_match(list(lang.LANGUAGES)) or lang.DEFAULT_LANGUAGE


def interface_language() -> str:
    """The language the page is being drawn in (the one Flask-Babel settled on)."""
    if not has_request_context():
        return lang.DEFAULT_LANGUAGE
    locale = get_locale()
    return lang.known_language(locale.language if locale is not None else None)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Words said outside a request (the command line) in ``language``: Flask-Babel's
    ``gettext`` and ``reports.language.say`` alike; needs the app's context."""
    before = lang.shown_language()
    lang.show_in(language)
    try:
        with force_locale(lang.known_language(language)):
            yield
    finally:
        lang.show_in(before)


def in_the_environments_language(command: Callable[..., T]) -> Callable[..., T]:
    """A command-line command that speaks the language of its environment (``LC_ALL``, then
    ``LC_MESSAGES``, then ``LANG``), as command-line tools do: its results and its errors.
    Put it under the command's other decorators, so that it runs in the app's context."""
    @functools.wraps(command)
    def spoken(*args: Any, **kwargs: Any) -> T:
        with speaking(lang.environment_language(os.environ)):
            return command(*args, **kwargs)
    return spoken


@bp.post("/language")
@allow(PUBLIC)
def switch() -> Response:
    """Remember the language chosen with the switch and go back to the page it was on."""
    chosen = lang.known_language(request.form.get("language"))
    response = redirect(page_of_this_site(request.form.get("next")), code=303)
    response.set_cookie(COOKIE, chosen, max_age=COOKIE_DAYS * 24 * 3600, samesite="Lax",
                        httponly=True, secure=request.is_secure)
    return response


def _day(moment: date | None, width: str = "short") -> str:
    return lang.day(moment, interface_language(), width) if moment is not None else ""


def _month(moment: date, width: str = "long") -> str:
    return lang.month(moment, interface_language(), width)


def _clock(moment: datetime) -> str:
    return lang.clock(moment, interface_language())


def format_number(value: float) -> str:
    """A number as the page's language writes it: "2,147,483,647" / "2 147 483 647"."""
    return lang.number(value, interface_language())


def _in_words(duration: timedelta | None) -> str:
    """A duration in the page's language: "1 hour 50 minutes" / "1 heure 50 minutes"."""
    return lang.duration_words(duration, interface_language())


def _translate(message: str) -> str:
    """A word kept in a table in English (``N_``), in the page's language."""
    return lang.gettext_for(interface_language(), message) if message else message


def register(app: Flask) -> None:
    """Flask-Babel with our catalogues (compiled first when needed), the switch, and the
    filters templates format dates and numbers with."""
    lang.compile_catalogues()
    site_language = str(app.config.get("LANGUAGE") or lang.DEFAULT_LANGUAGE).strip().lower()
    if site_language not in lang.LANGUAGES:
        raise RuntimeError(f"HINDSIGHT_LANGUAGE must be one of {', '.join(lang.LANGUAGES)}")
    app.config["LANGUAGE"] = site_language
    Babel(app, locale_selector=chosen_language,
          default_translation_directories=str(lang.TRANSLATIONS))
    app.register_blueprint(bp)

    @app.before_request
    def words_for_this_request() -> None:
        lang.show_in(chosen_language())

    @app.teardown_request
    def words_back_to_english(_error: BaseException | None) -> None:
        """The thread's next work outside a request (a test, a worker) speaks English again."""
        lang.show_in(lang.DEFAULT_LANGUAGE)
    app.jinja_env.filters.update(day=_day, month=_month, clock=_clock, number=format_number,
                                 tr=_translate, in_words=_in_words)

    @app.context_processor
    def language_context() -> dict[str, object]:
        language = interface_language()
        return {"current_language": language, "languages": lang.LANGUAGES,
                "status_labels": STATUSES, "js_words": functools.partial(js_words, language)}
