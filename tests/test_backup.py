"""Backup and restore through the command line: the whole state back, or nothing written.

On the PostgreSQL run (``HINDSIGHT_TEST_POSTGRES=1``) ``new_database`` makes PostgreSQL
databases, so the round trips below go SQLite -> PostgreSQL and PostgreSQL -> SQLite; on the
default run both ends are SQLite files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask

from app import create_app
from reports import library, revision_codec
from reports.backup import sign_manifest
from reports.comments import CommentStore
from reports.exchange import from_document, to_document
from reports.library import LibraryQuery
from reports.store import ReportStore
from tests.conftest import SAMPLE_DOCUMENT
from tests.pages import exports_of, store_of, users_of

KEY = "the secret key of the instance that made the backup"
TABLES = ("reports", "revisions", "review_comments", "exports", "action_items", "users")

FULL_DOCUMENT: dict[str, Any] = {
    **SAMPLE_DOCUMENT,
    "timeline": [
        *SAMPLE_DOCUMENT["timeline"],
        {"at": "2026-10-03T08:50:00+02:00", "kind": "other", "contributing": False,
         "description": "On-call handover, noted for the team.", "internal": True,
         "outside_window": True},
    ],
    "factors": [
        *SAMPLE_DOCUMENT["factors"],
        {"description": "The runbook link was stale.", "root_cause": False, "internal": True},
    ],
    "actions": [
        *SAMPLE_DOCUMENT["actions"],
        {"description": "Fix the runbook link.", "owner": "On-call", "priority": "low",
         "due": "2026-11-20", "ticket": "", "status": "in_progress", "addresses": [2],
         "internal": True},
    ],
    "internal_parts": ["impact", "lessons.lucky"],
    "follow_up_outcome": "Both high-priority actions are **done**.",
    "follow_up_held_on": "2026-12-04",
    "x_vendor_field": {"kept": ["verbatim"]},
}


def make_app(tmp_path: Path, name: str, url: str, key: str = KEY) -> Flask:
    return create_app({"INSTANCE_PATH": str(tmp_path / name), "DATABASE_URL": url,
                       "SECRET_KEY": key, "TESTING": True})


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["reports", *args])


def fill(app: Flask) -> None:
    """Every kind of state: ids with a gap, a team, history, comments, exports and the bin."""
    store, exports = store_of(app), exports_of(app)
    full = store.create(from_document(FULL_DOCUMENT), author="Dana Lee", team="payments")
    store.save(full.id, from_document({**FULL_DOCUMENT, "status": "in_review"}),
               author="Sam Ortiz", note="Ready for review")
    store.save(full.id, from_document({**FULL_DOCUMENT, "status": "published"}),
               author="Rui Reviewer", note="Published")
    gone = store.create(from_document({"format": "hindsight-report/1", "title": "Purged"}))
    store.create(from_document({**SAMPLE_DOCUMENT, "title": "Second — Ünïcödé"}))
    store.delete(gone.id)
    store.bin(now=datetime.now(UTC) + timedelta(days=40))  # id 2 is gone for good
    binned = store.create(from_document({**SAMPLE_DOCUMENT, "title": "In the bin"}),
                          team="search")
    store.delete(binned.id)
    comments = CommentStore(store.engine)
    comments.add(full.id, "apologise", "Say sorry for the *customers'* trouble too.", "Rui")
    resolved = comments.add(full.id, "prevent", "Who owns the checklist?", "Rui")
    comments.resolve(resolved.id, by="Dana Lee")
    comments.add(binned.id, "about", "Duplicate of #1?", "Rui")
    exports.record(report_id=full.id, format="pdf", destination="local",
                   location="2026/10.checkout.checkout-unavailable.pdf", report_version=3)
    exports.record(report_id=full.id, format="gdoc", destination="drive", location="drive-id-1",
                   link="https://docs.google.com/document/d/drive-id-1", report_version=3,
                   copy="internal")
    exports.record(report_id=full.id, format="pdf", destination="drive", location="",
                   report_version=3, ok=False, message="Drive said 503")


def state(app: Flask) -> dict[int, dict[str, Any]]:
    """Everything a user can see of every report, the bin included, keyed by id."""
    store = store_of(app)
    comments = CommentStore(store.engine)
    with store.engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT id, version, team, created_at, updated_at, deleted_at, document "
            "FROM reports ORDER BY id")).all()
    binned = {summary.id for summary, _ in store.bin()}
    found = {}
    for row in rows:
        found[row.id] = {
            "version": row.version, "team": store.team_of(row.id),
            "in_bin": row.id in binned, "live": store.get(row.id) is not None,
            "created_at": str(row.created_at)[:26], "updated_at": str(row.updated_at)[:26],
            "deleted": row.deleted_at is not None,
            "document": to_document(from_document(json.loads(row.document))),
            "revisions": [(r.version, r.saved_at, r.author, r.note,
                           to_document(store.revision(row.id, r.version)))  # type: ignore[arg-type]
                          for r in store.revisions(row.id)],
            "comments": {part: ([(c.id, c.body, c.author, c.created_at) for c in p.open],
                                [(c.id, c.resolved_at, c.resolved_by) for c in p.resolved])
                         for part, p in comments.for_report(row.id).items()},
            "exports": [record.__dict__ for record in
                        exports_of(app).for_report(row.id)],
        }
    return found


def counts(app: Flask) -> dict[str, int]:
    with store_of(app).engine.connect() as connection:
        return {table: connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))
                for table in TABLES}


def resign(folder: Path, key: str = KEY, checksums: bool = True) -> None:
    """Recompute every checksum and sign the manifest: what someone who knows the key can do."""
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in [*manifest.get("reports", []), manifest.get("accounts") or {}]:
        if checksums and isinstance(entry, dict) and isinstance(entry.get("file"), str):
            path = folder / entry["file"]
            if path.is_file():
                entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(sign_manifest(manifest, key)))


def assert_one_line_error(result: Result, fragment: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert fragment in lines[0], lines[0]


@pytest.fixture
def made(tmp_path: Path, new_database: Callable[[], str]) -> tuple[Flask, Path]:
    """An instance with every kind of state, and its backup folder."""
    source = make_app(tmp_path, "source", new_database())
    fill(source)
    folder = tmp_path / "backup"
    assert run(source, "backup", str(folder)).exit_code == 0
    return source, folder


@pytest.fixture
def empty(tmp_path: Path, new_database: Callable[[], str]) -> Flask:
    return make_app(tmp_path, "target", new_database())


@pytest.mark.parametrize("direction", ["from-sqlite", "to-sqlite"])
def test_a_restore_brings_back_everything_with_the_same_ids(
    direction: str, tmp_path: Path, new_database: Callable[[], str]
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'plain.sqlite3'}"
    urls = (sqlite_url, new_database())
    source_url, target_url = urls if direction == "from-sqlite" else urls[::-1]
    source = make_app(tmp_path, "source", source_url)
    fill(source)
    before = state(source)
    assert sorted(before) == [1, 3, 4]
    assert before[1]["version"] == 3 and len(before[1]["revisions"]) == 3
    assert before[4]["in_bin"] and before[4]["team"] == "search"

    folder = tmp_path / "backup"
    result = run(source, "backup", str(folder))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Backed up 3 reports (1 in the bin), 5 revisions, "
                                    "3 comments, 3 export records")
    # One of a thing is said in the singular.
    single = make_app(tmp_path, "single", f"sqlite:///{tmp_path / 'single.sqlite3'}")
    store_of(single).create(from_document({**SAMPLE_DOCUMENT}))
    alone = run(single, "backup", str(tmp_path / "alone"))
    assert alone.output.startswith("Backed up 1 report (0 in the bin), 1 revision, 0 comments, "
                                   "0 export records, accounts not included"), alone.output
    assert not (folder / "accounts.json").exists()

    target = make_app(tmp_path, "target", target_url)
    result = run(target, "restore", str(folder))
    assert result.exit_code == 0, result.output
    assert "ids kept: 1 3 4" in result.output
    assert state(target) == before
    assert counts(target) == counts(source)

    # Derived data is rebuilt: search finds the live reports, action items list the live one's.
    engine = store_of(target).engine
    assert {e.id for e in library.find(engine, LibraryQuery(text="gateway")).entries} == {1, 3}
    assert {a.report_id for a in library.open_actions(engine, datetime(2027, 1, 1).date())} \
        == {1, 3}
    # New rows take new ids after the restored ones (PostgreSQL's sequences were moved on).
    assert store_of(target).create(from_document(SAMPLE_DOCUMENT)).id == 5
    new_comment = CommentStore(engine).add(5, "about", "New", "Rui")
    assert new_comment.id == 4
    assert exports_of(target).record(
        report_id=5, format="md", destination="local", location="x.md", report_version=1).id == 4


def test_accounts_are_in_a_backup_only_when_asked_for(
    made: tuple[Flask, Path], empty: Flask, tmp_path: Path
) -> None:
    source, without = made
    users_of(source).add("dana", role="author", password="correct horse 1",
                                             display_name="Dana Lee", team="payments")
    users_of(source).add("rui", role="reviewer", password="correct horse 2")
    with_accounts = tmp_path / "with-accounts"
    result = run(source, "backup", str(with_accounts), "--with-accounts")
    assert result.exit_code == 0 and "2 accounts" in result.output
    assert "password hashes" in run(source, "backup", "--help").output
    assert (with_accounts / "accounts.json").stat().st_mode & 0o077 == 0
    assert "scrypt:" in (with_accounts / "accounts.json").read_text()

    assert run(empty, "restore", str(without)).exit_code == 0
    assert counts(empty)["users"] == 0

    other = make_app(tmp_path, "other", f"sqlite:///{tmp_path / 'other.sqlite3'}")
    users_of(other).add("rui", role="viewer", password="another password")
    result = run(other, "restore", str(with_accounts))
    assert result.exit_code == 0, result.output
    assert "left as they are: rui" in result.output
    users = users_of(other)
    dana = users.check_password("dana", "correct horse 1")
    assert dana is not None and (dana.role, dana.team, dana.display_name) == (
        "author", "payments", "Dana Lee")
    assert users.check_password("rui", "correct horse 2") is None  # the one here was kept
    assert users.check_password("rui", "another password") is not None


def test_restoring_over_existing_reports_is_refused(made: tuple[Flask, Path],
                                                    empty: Flask) -> None:
    _, folder = made
    store = store_of(empty)
    store.delete(store.create(from_document(SAMPLE_DOCUMENT)).id)  # only the bin holds one
    before = counts(empty)
    assert_one_line_error(run(empty, "restore", str(folder)),
                          "already has reports (1, the bin included)")
    assert counts(empty) == before


def test_as_new_adds_each_report_once_with_its_history(made: tuple[Flask, Path],
                                                       empty: Flask) -> None:
    source, folder = made
    store = store_of(empty)
    here = [store.create(from_document(SAMPLE_DOCUMENT)).id for _ in range(5)]
    result = run(empty, "restore", str(folder), "--as-new")
    assert result.exit_code == 0, result.output
    assert "new ids: 1->6 3->7 4->8" in result.output
    after = state(empty)
    assert sorted(after) == [*here, 6, 7, 8]
    original = state(source)
    for old, new in ((1, 6), (3, 7), (4, 8)):
        for key in ("version", "team", "in_bin", "document", "revisions"):
            assert after[new][key] == original[old][key], key
        assert after[new]["exports"] == []  # their files belong to this instance's reports
        open_bodies = {part: [c[1] for c in p[0]] for part, p in after[new]["comments"].items()}
        assert open_bodies == {part: [c[1] for c in p[0]]
                               for part, p in original[old]["comments"].items()}
    assert counts(empty)["review_comments"] == 3


def test_a_changed_file_with_a_recomputed_checksum_is_refused(made: tuple[Flask, Path],
                                                              empty: Flask) -> None:
    _, folder = made
    path = folder / "reports" / "1.json"
    path.write_text(path.read_text().replace("We are sorry", "We are not sorry"))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["reports"][0]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=4))
    assert_one_line_error(run(empty, "restore", str(folder)), "signature does not match")
    assert set(counts(empty).values()) == {0}


def test_a_backup_made_with_another_secret_key(made: tuple[Flask, Path], tmp_path: Path,
                                               new_database: Callable[[], str]) -> None:
    _, folder = made
    elsewhere = make_app(tmp_path, "elsewhere", new_database(), key="a different key")
    assert_one_line_error(run(elsewhere, "restore", str(folder)), "another secret key")
    assert set(counts(elsewhere).values()) == {0}
    assert "only for a backup you trust" in " ".join(run(elsewhere, "restore", "--help")
                                                     .output.split())

    # Accepting it on purpose still catches a damaged file...
    path = folder / "reports" / "3.json"
    original = path.read_bytes()
    path.write_bytes(original.replace(b"Second", b"Sec0nd"))
    assert_one_line_error(run(elsewhere, "restore", str(folder), "--ignore-signature"),
                          "reports/3.json does not match its checksum")
    assert set(counts(elsewhere).values()) == {0}
    # ...and otherwise restores it whole.
    path.write_bytes(original)
    result = run(elsewhere, "restore", str(folder), "--ignore-signature")
    assert result.exit_code == 0 and "ids kept: 1 3 4" in result.output


def test_a_bad_file_half_way_writes_nothing(made: tuple[Flask, Path], empty: Flask) -> None:
    _, folder = made
    path = folder / "reports" / "3.json"
    record = json.loads(path.read_text())
    record["document"]["severity"] = "SEV9"
    path.write_text(json.dumps(record))
    resign(folder)
    assert_one_line_error(run(empty, "restore", str(folder)),
                          "reports/3.json is not a valid report: severity")
    assert set(counts(empty).values()) == {0}


def test_a_database_failure_half_way_rolls_everything_back(
    made: tuple[Flask, Path], empty: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, folder = made
    rebuild = ReportStore.rebuild_derived
    calls = []

    def fail_on_the_second(connection, report_id, report, columns=True):  # type: ignore[no-untyped-def]
        calls.append(report_id)
        if len(calls) == 2:
            raise sa.exc.OperationalError("INSERT INTO action_items", {}, OSError("disk full"))
        rebuild(connection, report_id, report, columns)

    monkeypatch.setattr(ReportStore, "rebuild_derived", staticmethod(fail_on_the_second))
    assert_one_line_error(run(empty, "restore", str(folder)), "nothing was written: disk full")
    assert calls == [1, 3]
    assert set(counts(empty).values()) == {0}


def _edit_manifest(change: Callable[[dict[str, Any]], Any], sign: bool = True,
                   checksums: bool = True) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text())
        change(manifest)
        (folder / "manifest.json").write_text(json.dumps(manifest))
        if sign:
            resign(folder, checksums=checksums)
    return edit


def _edit_record(name: str, change: Callable[[dict[str, Any]], Any]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / "reports" / name
        record = json.loads(path.read_text())
        change(record)
        path.write_text(json.dumps(record))
        resign(folder)
    return edit


def _write(name: str, text: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_text(text)


def _no_manifest(folder: Path) -> None:
    (folder / "manifest.json").unlink()


def _manifest_is_a_folder(folder: Path) -> None:
    (folder / "manifest.json").unlink()
    (folder / "manifest.json").mkdir()


def _report_not_json(folder: Path) -> None:
    (folder / "reports" / "1.json").write_text("{oops")
    resign(folder)


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda target: target.__setitem__(key, value)


def _entry(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda manifest: manifest["reports"][0].__setitem__(key, value)


MALFORMED = {
    "no manifest": (_no_manifest, "has no readable manifest.json"),
    "unreadable manifest": (_manifest_is_a_folder, "has no readable manifest.json"),
    "manifest not JSON": (_write("manifest.json", "{not json"), "manifest.json is not valid JSON"),
    "manifest nested too deep": (_write("manifest.json", "[" * 100_000),
                                 "manifest.json is not valid JSON"),
    "wrong format": (_edit_manifest(_set("format", "hindsight-backup/9")),
                     "not a hindsight-backup/2 manifest"),
    "old format": (_write("manifest.json", '{"format": "hindsight-backup/1", "reports": []}'),
                   "reports import"),
    "not signed": (_edit_manifest(lambda m: m.pop("signature"), sign=False), "is not signed"),
    "signature of the wrong type": (_edit_manifest(_set("signature", "abc"), sign=False),
                                    "not an HMAC-SHA256 signature"),
    "a file named 200 times": (
        _edit_manifest(lambda m: m.__setitem__("reports", m["reports"][:1] * 200)),
        "names reports/1.json twice"),
    "the same file by another path": (
        _edit_manifest(lambda m: m["reports"][1].__setitem__("file", "reports/../reports/1.json")),
        "twice"),
    "a report id twice": (_edit_manifest(lambda m: m["reports"][1].__setitem__("id", 1)),
                          "holds report 3, the manifest says 1"),
    "a path outside the folder": (_edit_manifest(_entry("file", "../../etc/passwd")),
                                  "outside the backup"),
    "a file name with a null byte": (_edit_manifest(_entry("file", "reports/1.json\x00")),
                                     "outside the backup"),
    "a file name on two lines": (_edit_manifest(_entry("file", "reports/\n99.json")),
                                 "cannot read reports/ 99.json"),
    "a missing file": (_edit_manifest(_entry("file", "reports/99.json")),
                       "cannot read reports/99.json"),
    "reports not a list": (_edit_manifest(_set("reports", {"1": "reports/1.json"})),
                           "reports must be a list"),
    "an id as text": (_edit_manifest(_entry("id", "1")), "id must be a whole number"),
    "an id as true": (_edit_manifest(_entry("id", True)), "id must be a whole number"),
    "a checksum as a number": (_edit_manifest(_entry("sha256", 12), checksums=False),
                               "sha256 must be a SHA-256"),
    "a file as a number": (_edit_manifest(_entry("file", 1)), "file must be text"),
    "an entry as text": (_edit_manifest(lambda m: m["reports"].__setitem__(0, "x")),
                         "reports[0] is not a JSON object"),
    "accounts as a list": (_edit_manifest(_set("accounts", [])), "accounts must be an object"),
    "a checksum mismatch": (_write("reports/1.json", "{}"), "does not match its checksum"),
    "a report not JSON": (_report_not_json, "reports/1.json is not valid JSON"),
    "a version as text": (_edit_record("1.json", _set("version", "3")),
                          "version must be a whole number"),
    "a time without offset": (_edit_record("1.json", _set("created_at", "2026-10-03T09:00")),
                              "created_at must be a date and time with its UTC offset"),
    "an invalid revision": (
        _edit_record("1.json", lambda r: r["revisions"][0]["document"].__setitem__(
            "timeline", "no")),
        "revisions[0] (version 1) is not a valid report: timeline"),
    "a revision twice": (_edit_record("1.json", lambda r: r["revisions"].append(
        r["revisions"][0])), "two revisions with the same version"),
    "a comment on no part": (_edit_record("1.json", lambda r: r["comments"][0].__setitem__(
        "part", "elsewhere")), "comments[0]: part must be one of"),
    "an export to nowhere": (_edit_record("1.json", lambda r: r["exports"][0].__setitem__(
        "destination", "ftp")), "exports[0]: destination must be one of local, drive"),
    "a comment id twice": (_edit_record("4.json", lambda r: r["comments"][0].__setitem__(
        "id", 1)), "comment 1 twice"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_backup_is_a_one_line_error_and_writes_nothing(
    case: str, made: tuple[Flask, Path], empty: Flask
) -> None:
    _, folder = made
    damage, message = MALFORMED[case]
    damage(folder)
    assert_one_line_error(run(empty, "restore", str(folder)), message)
    assert set(counts(empty).values()) == {0}


def test_malformed_accounts_are_refused(made: tuple[Flask, Path], empty: Flask,
                                        tmp_path: Path) -> None:
    source, _ = made
    users_of(source).add("dana", role="author")
    folder = tmp_path / "with-accounts"
    assert run(source, "backup", str(folder), "--with-accounts").exit_code == 0
    path = folder / "accounts.json"
    accounts = json.loads(path.read_text())
    accounts["accounts"][0]["role"] = "admin"
    path.write_text(json.dumps(accounts))
    resign(folder)
    assert_one_line_error(run(empty, "restore", str(folder)), "role must be one of")
    assert set(counts(empty).values()) == {0}


def test_a_backup_goes_into_a_new_folder_and_is_plain_json(made: tuple[Flask, Path]) -> None:
    source, folder = made
    assert_one_line_error(run(source, "backup", str(folder)), "is not an empty folder")
    record = json.loads((folder / "reports" / "1.json").read_text())
    assert (record["id"], record["version"], record["team"]) == (1, 3, "payments")
    assert record["document"] == to_document(from_document(
        {**FULL_DOCUMENT, "status": "published"}))
    assert [r["note"] for r in record["revisions"]] == [None, "Ready for review", "Published"]
    with store_of(source).engine.connect() as connection:
        stored = connection.scalar(sa.text("SELECT document FROM revisions WHERE version = 1"))
    assert bytes(stored).startswith(revision_codec.ZSTD_MAGIC)
    assert record["revisions"][0]["document"] == json.loads(revision_codec.unpack(stored))


def test_a_report_no_save_would_store_is_refused(tmp_path: Path) -> None:
    """A hand-made backup (accepted without a signature) cannot bring in a time no page can show
    or times out of order."""
    source = make_app(tmp_path, "source", f"sqlite:///{tmp_path / 'source.sqlite3'}")
    store_of(source).create(from_document(SAMPLE_DOCUMENT))
    folder = tmp_path / "backup"
    assert run(source, "backup", str(folder)).exit_code == 0
    report_file = next((folder / "reports").glob("*.json"))
    record = json.loads(report_file.read_text())
    record["document"]["resolved_at"] = "9999-12-31T20:00:00+00:00"
    report_file.write_bytes(json.dumps(record).encode())
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["reports"]:  # the checksum is made again: only the signature is off
        if entry["file"].endswith(report_file.name):
            entry["sha256"] = hashlib.sha256(report_file.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    target = make_app(tmp_path, "target", f"sqlite:///{tmp_path / 'target.sqlite3'}")
    result = run(target, "restore", "--ignore-signature", str(folder))
    assert result.exit_code == 1 and "resolved_at" in result.output
    assert store_of(target).list() == []
