"""A JSON document as it arrives (an API request's body, a file to import), read safely.

Python's ``json`` module alone is not enough for input from outside: a body of a thousand ``[``
raises ``RecursionError``, ``"\\ud800"`` decodes to an unpaired surrogate that no database or
file can encode, ``NaN`` is not JSON at all. ``load_json_body`` turns each of these into a
``DocumentError`` whose ``problems`` name where the trouble is, like any other bad document.
"""

from __future__ import annotations

import json
from typing import Any

from .exchange import MAX_DEPTH, DocumentError, unstorable_values

BODY = ""  # the path of the document as a whole in ``DocumentError.problems``


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number: write a finite number or null")


def load_json_body(data: bytes) -> Any:
    """The JSON value ``data`` holds, or ``DocumentError`` saying what is wrong with it.

    ``data`` must be UTF-8 (a byte order mark is allowed). The value is not yet a report: pass
    it to ``reports.exchange.from_document`` for that.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError({BODY: f"the document is not UTF-8 text: byte {error.start + 1:,} "
                                   "is not part of any character"}) from None
    if not text.strip():
        raise DocumentError({BODY: "the document is empty: send a JSON object"})
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise DocumentError({BODY: f"the document is nested too deeply: at most "
                                   f"{MAX_DEPTH} levels of lists and objects"}) from None
    except json.JSONDecodeError as error:
        raise DocumentError({BODY: f"the document is not valid JSON: {error.msg} "
                                   f"(line {error.lineno}, column {error.colno})"}) from None
    except ValueError as error:  # NaN or Infinity, a number of more than 4,300 digits
        raise DocumentError({BODY: f"the document is not valid JSON: {error}"}) from None
    problems = unstorable_values(document)
    if problems:
        raise DocumentError(problems)
    return document
