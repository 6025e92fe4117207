"""Text for a cell of a CSV file that people open in a spreadsheet (the open action items).

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, which can
run commands or send the sheet's data elsewhere ("CSV injection"). OWASP's guidance
(https://owasp.org/www-community/attacks/CSV_Injection) is to start such a cell, and one that
starts with a tab or a carriage return, with a single quote, so it is shown as text. Spreadsheets
are more forgiving than that list: they skip leading spaces, line breaks and invisible
characters, and read the full-width ``＝＋－＠`` as their ASCII forms. So the cell's first
*visible* character, in its compatibility form (NFKC), is what decides.
"""

from __future__ import annotations

import unicodedata

from .exchange import without_bidi_controls

# What starts a formula, once NFKC has made e.g. U+FF1D "＝" and U+FE66 "﹦" into "=".
_FORMULA_START = frozenset("=+-@\u2212")  # U+2212 is the minus sign some locales type
# White space, line and paragraph separators, control and format characters (U+200B and the
# other zero-width characters are format characters): invisible before a formula.
_INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


# OWASP's list has tab and carriage return; a line feed is as invisible in a cell.
_RISKY_START = ("\t", "\r", "\n")


def _first_visible(text: str) -> str:
    """The first character a reader would see, in its compatibility form (NFKC)."""
    for char in text:
        if unicodedata.category(char) not in _INVISIBLE:
            return unicodedata.normalize("NFKC", char)[:1]
    return ""


def spreadsheet_cell(text: str) -> str:
    """``text`` as a cell a spreadsheet shows as text and never runs as a formula.

    Bidirectional controls go too (they make a title read backwards). A cell whose first
    visible character starts a formula, or that starts with a tab or a line break, gets a
    leading single quote; other text is left exactly as it is.
    """
    text = without_bidi_controls(text)
    if text.startswith(_RISKY_START) or _first_visible(text) in _FORMULA_START:
        return "'" + text
    return text
