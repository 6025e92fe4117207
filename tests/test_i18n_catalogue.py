"""Every word the app shows is marked for translation and translated: the messages pybabel
finds in the templates and the Python are all in the French catalogue (none missing, none fuzzy,
none empty), and no template holds English text outside ``_()`` / ``{% trans %}``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
TEMPLATES = ROOT / "templates"
# Text that is the same in every language: names, codes, symbols.
SAME_EVERYWHERE = {"Hindsight", "Google Drive", "SEV1", "SEV2", "SEV3", "SEV4", "UTC", "CSV",
                   "JSON", "Markdown", "PDF", "HTML", "Drive", "(Drive)", "#", "·", "—", "–", "…",
                   "English", "Français", "OK"}
# Template text that is not words for people: attribute values and the like checked elsewhere.
_WORDS = re.compile(r"[A-Za-zÀ-ÿ]{2,}")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F",
                    "babel.cfg", "-k", "N_", "-k", "lazy_gettext", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    return pot


def test_every_marked_message_is_in_the_french_catalogue_and_translated(
    extracted: Path,
) -> None:
    with extracted.open("rb") as file:
        wanted = read_po(file)
    with CATALOGUE.open("rb") as file:
        french = read_po(file, locale="fr")
    missing, fuzzy, empty = [], [], []
    for message in wanted:
        if not message.id:
            continue
        found = french.get(message.id)
        if found is None:
            missing.append(message.id)
        elif found.fuzzy:
            fuzzy.append(message.id)
        elif not (all(found.string) if isinstance(found.string, tuple) else found.string):
            empty.append(message.id)
    assert (missing, fuzzy, empty) == ([], [], [])


def test_the_catalogue_has_nothing_the_app_no_longer_says(extracted: Path) -> None:
    with extracted.open("rb") as file:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id}
    with CATALOGUE.open("rb") as file:
        french = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id}
    assert sorted(french - wanted) == []


def test_placeholders_are_kept_in_every_translation() -> None:
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w+\}")  # Python's, and the scripts' own
    with CATALOGUE.open("rb") as file:
        french = read_po(file, locale="fr")
    wrong = []
    for message in french:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(placeholder.findall(ids[-1]))
        for text in strings:
            if set(placeholder.findall(text)) != expected:
                wrong.append((ids[0], text))
    assert wrong == []


def unmarked_text(source: str) -> list[str]:
    """English left in a template: text between tags and in the attributes people read, once
    comments, statements, expressions, scripts and styles are taken out."""
    text = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    text = re.sub(r"\{%-?\s*trans\b.*?endtrans\s*-?%\}", " ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"\{%.*?%\}", " ", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}", " ", text, flags=re.S)
    found = []
    for name, value in re.findall(
            r'\b(aria-label|title|placeholder|alt|aria-description|content)="([^"]*)"', text):
        if name != "content" and _words_in(value):
            found.append(value.strip())
    text = re.sub(r"<[^>]*>", "\n", text, flags=re.S)
    found += [line.strip() for line in text.splitlines() if _words_in(line)]
    return found


def _words_in(text: str) -> bool:
    """Whether ``text`` holds a word that is not the same in every language."""
    text = re.sub(r"\bHINDSIGHT_[A-Z_]+\b", " ", text)  # settings' names
    text = re.sub(r"[\w-]+=\"[^\"]*\"", " ", text)  # attributes set aside in a {% set %}
    for same in sorted(SAME_EVERYWHERE, key=len, reverse=True):
        text = text.replace(same, " ")
    return bool(_WORDS.search(text))


TEMPLATE_FILES = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("name", TEMPLATE_FILES)
def test_no_template_shows_unmarked_english(name: str) -> None:
    assert unmarked_text((TEMPLATES / name).read_text(encoding="utf-8")) == []


# ---- Python: what the views say to people ----------------------------------------------------

PYTHON_SOURCES = sorted((ROOT / "views").glob("*.py")) + sorted((ROOT / "forms").glob("*.py"))
# Python that speaks to API clients or the log, never to a person on a page.
NOT_FOR_PAGES = {"api.py", "page.py"}


def _said_unmarked(path: Path) -> list[str]:
    """Messages flashed, or given to ``abort`` or ``ValidationError``, as plain English: a
    string literal or an f-string instead of a ``gettext`` call."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name == "abort":
            said = node.args[1:2]
        elif name in ("flash", "ValidationError"):
            said = node.args[:1]
        else:
            continue
        for argument in said:
            if isinstance(argument, ast.JoinedStr) or (
                    isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
                found.append(f"{path.name}:{node.lineno}")
    return found


@pytest.mark.parametrize("path", [p for p in PYTHON_SOURCES if p.name not in NOT_FOR_PAGES],
                         ids=lambda p: p.name)
def test_no_view_flashes_or_refuses_in_unmarked_english(path: Path) -> None:
    assert _said_unmarked(path) == []
