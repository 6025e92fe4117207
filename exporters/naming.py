"""File names in the shared folder: ``YYYY/MM.service.event.ext``, never a path from user text.

Every part is a slug made here: lower-case ASCII letters, digits and single hyphens, so no part
can hold a slash, a dot, ``..``, a NUL or a reserved device name. Accents are transliterated and
Greek and Cyrillic are spelled in Latin letters; text in other scripts cannot be spelled out, so
such a name falls back to a readable word plus the report id.

Two reports can slug the same; the one that comes second gets the id form of its name,
``MM.service.event--r42.ext``. A slug never holds ``--``, so the id form belongs to that one
report and can never be the plain name of another.

The internal copy of an export adds ``.internal`` before the extension:
``MM.service.event.internal.pdf``. A slug never holds a dot, so no client copy's name can be an
internal copy's, and re-exporting one copy never touches the other's file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from reports.exchange import zone
from reports.model import COPIES, INTERNAL_COPY, Report

MAX_SERVICE = 40
MAX_EVENT = 60
UNDATED = "undated"
_EXTENSION = re.compile(r"^[a-z0-9]{1,8}$")
# Names Windows keeps for devices, whatever the extension; a share may be read from Windows.
RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "clock$"}
    | {f"com{n}" for n in range(10)}
    | {f"lpt{n}" for n in range(10)}
)

_LATIN = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l",
    "ı": "i", "ŋ": "ng", "ħ": "h", "ĸ": "k", "ſ": "s", "&": " and ", "@": " at ",
}
_GREEK = dict(zip(
    "αβγδεζηθικλμνξοπρσςτυφχψω",
    ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r",
     "s", "s", "t", "y", "f", "ch", "ps", "o"],
    strict=True,
))
_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяєіїґўђјљњћџ",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "ye",
     "i", "yi", "g", "u", "dj", "j", "lj", "nj", "c", "dz"],
    strict=True,
))
_TRANSLITERATION = {**_LATIN, **_GREEK, **_CYRILLIC}


@dataclass(frozen=True)
class Slug:
    text: str  # may be empty
    complete: bool  # False when some letters could not be spelled in ASCII


def _spell(char: str) -> tuple[str, bool]:
    """One character in ASCII, and whether it was spelled (True for punctuation and spaces)."""
    lower = char.lower()
    if lower in _TRANSLITERATION:
        return _TRANSLITERATION[lower], True
    if char.isascii():
        return (lower if char.isalnum() else " "), True
    base = unicodedata.normalize("NFKD", lower)
    stripped = "".join(c for c in base if not unicodedata.combining(c))
    if stripped and stripped != lower:
        spelled = [_spell(c) for c in stripped]
        return "".join(s for s, _ in spelled), all(ok for _, ok in spelled)
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit), True
    is_word = unicodedata.category(char)[0] in "LN"
    return " ", not is_word


def slug(text: str, limit: int) -> Slug:
    """Lower-case ASCII words joined by single hyphens, at most ``limit`` characters."""
    spelled = [_spell(char) for char in unicodedata.normalize("NFKC", text or "")]
    ascii_text = "".join(s for s, _ in spelled)
    words = re.findall(r"[a-z0-9]+", ascii_text)
    result = ""
    for word in words:
        candidate = f"{result}-{word}" if result else word
        if len(candidate) > limit:
            if not result:  # one very long word: cut it
                result = word[:limit]
            break
        result = candidate
    return Slug(result, all(ok for _, ok in spelled))


def _part(text: str, limit: int, fallback: str) -> tuple[str, bool]:
    """A slug for one part of the name, and whether it stands for the text faithfully."""
    made = slug(text, limit)
    if not made.text:
        return fallback, False
    if made.text in RESERVED:
        return f"{made.text}-{fallback}", made.complete
    return made.text, made.complete


def incident_moment(report: Report) -> datetime | None:
    """When the incident happened, for filing: its start, else the first time the report has."""
    for moment in (report.started_at, report.detected_at, report.resolved_at):
        if moment is not None:
            return moment
    times = [event.at for event in report.timeline if event.at is not None]
    return min(times) if times else None


@dataclass(frozen=True)
class ExportNames:
    """Where a report's export may go: its own name, and the id form used when that is taken."""

    preferred: str
    with_id: str


def export_names(
    report: Report, report_id: int, extension: str, copy: str = "client"
) -> ExportNames:
    """Both candidate paths (relative, with ``/``) for one report in one format and copy."""
    if not _EXTENSION.match(extension):
        raise ValueError(f"not a file extension: {extension!r}")
    if copy not in COPIES:
        raise ValueError(f"unknown copy {copy!r}")
    if copy == INTERNAL_COPY:
        extension = f"internal.{extension}"
    if report_id < 0:
        raise ValueError("a report id is never negative")
    moment = incident_moment(report)
    service, _ = _part(report.service, MAX_SERVICE, "unknown-service")
    event, faithful = _part(
        report.title, MAX_EVENT, "incident" if report.title.strip() else "untitled"
    )
    if moment is None:
        folder, stem = UNDATED, f"{service}.{event}"
    else:
        local = moment.astimezone(zone(report))
        folder, stem = f"{local.year:04d}", f"{local.month:02d}.{service}.{event}"
    with_id = f"{folder}/{stem}--r{report_id}.{extension}"
    # A title that could not be spelled out would collide with every other one: use the id.
    preferred = f"{folder}/{stem}.{extension}" if faithful else with_id
    return ExportNames(preferred=preferred, with_id=with_id)


def files_folder(location: str) -> str:
    """The folder beside an export that holds the report's files (issue 20): the export's name
    without its extension or ``.internal``: ``2026/10.payments.card-errors.pdf`` ->
    ``2026/10.payments.card-errors``. Both copies of every format of a report share it."""
    parent, _, name = location.rpartition("/")
    parts = name.split(".")[:-1]
    if parts and parts[-1] == "internal":
        parts.pop()
    if not parent or not parts:
        raise ValueError(f"not an export's location: {location!r}")
    return f"{parent}/{'.'.join(parts)}"


INTERNAL_FILES = "internal"  # the subfolder of internal-only files, written with the internal copy


def attachment_file_names(files: list[tuple[int, str]]) -> dict[int, str]:
    """Names in the files folder for (attachment id, name) pairs: each file's own name as a
    slug with its extension (``Errors per minute.PNG`` -> ``errors-per-minute.png``); a name
    that two files would share gets the file's id, ``errors-per-minute--a12.png``."""
    wanted: dict[int, tuple[str, str]] = {}
    for attachment_id, name in files:
        stem, dot, extension = name.rpartition(".")
        if not dot or not stem:
            stem, extension = name, ""
        extension = extension.lower()
        made, _ = _part(stem, MAX_EVENT, "file")
        if made == INTERNAL_FILES:
            made = f"{made}-file"
        wanted[attachment_id] = (made, extension if _EXTENSION.match(extension) else "")
    counts: dict[tuple[str, str], int] = {}
    for key in wanted.values():
        counts[key] = counts.get(key, 0) + 1
    names = {}
    for attachment_id, (stem, extension) in wanted.items():
        if counts[(stem, extension)] > 1:
            stem = f"{stem}--a{attachment_id}"
        names[attachment_id] = f"{stem}.{extension}" if extension else stem
    return names
