"""A history people can read (issue 15.3): what made each revision, the parts it changed, and an
author's autosaves a few minutes apart folded into one entry, still readable for a day."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from reports import store as store_module
from reports.backup import backup, restore
from reports.exchange import from_document
from reports.migrate import upgrade
from reports.revision_parts import PART_WORDS, changed_parts, describe, joined
from reports.store import FOLD_WINDOW, KEEP_FOLDED, PRUNE_EVERY, ReportStore, make_engine
from tests.conftest import SAMPLE_DOCUMENT
from tests.pages import form_values, post_page, store_of
from tests.people import password_app, sign_in
from tests.test_backup import resign
from views.conflicts import LABELS

START = datetime(2026, 10, 3, 7, 12, tzinfo=UTC)  # 09:12 in Paris, the sample's zone
DANA, SAM = "Dana Lee", "Sam Ortiz"


class Clock:
    """The store's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def wait(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    ticking = Clock()
    monkeypatch.setattr(store_module, "_now", ticking)
    return ticking


def _doc(**changes: Any) -> dict[str, Any]:
    return json.loads(json.dumps({**SAMPLE_DOCUMENT, **changes}))


def _autosave(store: ReportStore, report_id: int, author: str = DANA, **changes: Any) -> int:
    saved = store.save(report_id, from_document(_doc(**changes)), author=author,
                       kind="autosave")
    assert saved is not None
    return saved.version


def _history(store: ReportStore, report_id: int) -> list[tuple[int, str | None, int]]:
    return [(r.version, r.kind, r.saves) for r in store.revisions(report_id)]


# Folding -------------------------------------------------------------------------------------


def test_autosaves_within_ten_minutes_of_the_last_fold_into_one_entry(
    store: ReportStore, clock: Clock
) -> None:
    report = store.create(from_document(_doc()), author=DANA)
    for minute in (1, 4, 8):
        clock.now = START + timedelta(minutes=minute)
        _autosave(store, report.id, summary=f"Draft at minute {minute}.")
    assert _history(store, report.id) == [(4, "autosave", 3), (1, "create", 1)]
    newest = store.revisions(report.id)[0]
    assert newest.first_saved_at == START + timedelta(minutes=1)
    assert newest.saved_at == START + timedelta(minutes=8)

    clock.now = START + timedelta(minutes=8) + FOLD_WINDOW  # exactly ten minutes: still folds
    _autosave(store, report.id, summary="Right on the edge.")
    clock.wait(minutes=10, seconds=1)  # a pause longer than ten minutes starts a new entry
    _autosave(store, report.id, summary="After a coffee.")
    assert _history(store, report.id) == [(6, "autosave", 1), (5, "autosave", 4),
                                          (1, "create", 1)]


def test_different_authors_never_fold(store: ReportStore, clock: Clock) -> None:
    report = store.create(from_document(_doc()), author=DANA)
    for step, author in enumerate((DANA, SAM, DANA, DANA, SAM)):
        clock.wait(seconds=20)
        _autosave(store, report.id, author=author, summary=f"Step {step}.")
    assert [(r.version, r.author, r.saves) for r in store.revisions(report.id)] == [
        (6, SAM, 1), (5, DANA, 2), (3, SAM, 1), (2, DANA, 1), (1, DANA, 1)]
    # With sign-in off there is no name: those autosaves fold together as one nameless author.
    other = store.create(from_document(_doc()))
    for step in range(3):
        clock.wait(seconds=20)
        _autosave(store, other.id, author=None, summary=f"Step {step}.")  # type: ignore[arg-type]
    assert _history(store, other.id) == [(4, "autosave", 3), (1, "create", 1)]


@pytest.mark.parametrize("kind", ["save", "status", "restore", "merge", "patch", "api",
                                  "import", "action"])
def test_any_other_kind_of_save_stands_alone_and_breaks_the_fold(
    store: ReportStore, clock: Clock, kind: str
) -> None:
    report = store.create(from_document(_doc()), author=DANA)
    clock.wait(minutes=1)
    _autosave(store, report.id, summary="One.")
    clock.wait(minutes=1)
    store.save(report.id, from_document(_doc(summary="Two.")), author=DANA, kind=kind)
    clock.wait(minutes=1)
    store.save(report.id, from_document(_doc(summary="Three.")), author=DANA, kind=kind)
    clock.wait(minutes=1)
    _autosave(store, report.id, summary="Four.")
    assert _history(store, report.id) == [(5, "autosave", 1), (4, kind, 1), (3, kind, 1),
                                          (2, "autosave", 1), (1, "create", 1)]


def test_the_stores_own_status_and_restore_saves_say_so(store: ReportStore, clock: Clock) -> None:
    report = store.create(from_document(_doc()), author=DANA)
    clock.wait(minutes=1)
    _autosave(store, report.id, summary="Changed.")
    store.set_action_status(report.id, 1, "done", author=DANA)
    clock.wait(minutes=1)
    _autosave(store, report.id, summary="Changed again.")
    store.restore_revision(report.id, 2, author=DANA)
    history = store.revisions(report.id)
    assert [(r.kind, r.note) for r in history] == [
        ("restore", "Restored version 2"), ("autosave", None),
        ("action", "Action item 2 marked done"), ("autosave", None), ("create", None)]
    assert history[2].parts == {"actions": ["a-checklist"]}
    # The autosave after it was based on the page as it was: it put the item back.
    assert history[1].parts == {"summary": [], "actions": ["a-checklist"]}
    assert history[0].parts == {"summary": []}


def test_an_unknown_kind_is_refused(store: ReportStore) -> None:
    report = store.create(from_document(_doc()))
    with pytest.raises(ValueError, match="unknown kind"):
        store.save(report.id, from_document(_doc()), kind="autosaved")
    assert store.get(report.id).version == 1  # type: ignore[union-attr]


# Folded versions stay readable for a day -----------------------------------------------------


def test_the_folded_revisions_an_autosave_prunes_are_found_by_an_index(store: ReportStore,
                                                                      ) -> None:
    # Without it the prune read every revision of the report at every autosave: after 3,000
    # autosaves each save took twice as long as the first (bench/bench_autosave.py).
    indexes = sa.inspect(store.engine).get_indexes("revisions")
    assert {"name": "ix_revisions_folded", "columns": ["report_id", "folded", "saved_at"]} in [
        {"name": index["name"], "columns": index["column_names"]} for index in indexes]
    if store.engine.dialect.name == "sqlite":
        statement = store_module.statements.PRUNE_FOLDED.compile(store.engine)
        given = {"report_id": 1, "before": "2026-01-01 00:00:00"}
        with store.engine.connect() as connection:
            plan = connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}",
                tuple(given[name] for name in statement.positiontup or ())).all()
        assert any("ix_revisions_folded" in str(step) for step in plan), plan


def test_folded_versions_stay_readable_for_a_day_then_go(store: ReportStore, clock: Clock) -> None:
    report = store.create(from_document(_doc()), author=DANA)
    for step in range(3):
        clock.wait(minutes=2)
        _autosave(store, report.id, summary=f"Version {step + 2}.")
    assert _history(store, report.id) == [(4, "autosave", 3), (1, "create", 1)]
    for version in (2, 3):  # hidden from the list, still there for a merge to start from
        assert store.revision(report.id, version).summary == f"Version {version}."  # type: ignore[union-attr]

    clock.wait(hours=23)
    store.save(report.id, from_document(_doc(summary="Next day.")), author=SAM)
    assert store.revision(report.id, 2) is not None

    clock.now = START + timedelta(minutes=6) + KEEP_FOLDED + timedelta(minutes=1)
    store.save(report.id, from_document(_doc(summary="A day later.")), author=SAM)
    assert store.revision(report.id, 2) is None and store.revision(report.id, 3) is None
    # The group's entry keeps its range, its count and what it changed.
    group = next(r for r in store.revisions(report.id) if r.version == 4)
    assert (group.first_saved_at, group.saves, group.parts) == (
        START + timedelta(minutes=2), 3, {"summary": []})
    assert store.revision(report.id, 4).summary == "Version 4."  # type: ignore[union-attr]
    assert [r.version for r in store.revisions(report.id)] == [6, 5, 4, 1]


def test_a_group_that_never_ends_still_lets_its_old_folded_versions_go(
    store: ReportStore, clock: Clock
) -> None:
    """An author who autosaves every few minutes for more than a day never starts a new group:
    the folded versions older than a day still go, a few saves later at most."""
    report = store.create(from_document(_doc()), author=DANA)
    gap = timedelta(minutes=9)  # within the fold window each time: one group throughout
    day_of_saves = KEEP_FOLDED // gap
    versions = [_autosave(store, report.id, summary="Autosave 0.")]
    for step in range(1, day_of_saves + 2 * PRUNE_EVERY + 3):
        clock.wait(minutes=9)
        versions.append(_autosave(store, report.id, summary=f"Autosave {step}."))
    assert len(store.revisions(report.id)) == 2  # the group and the report's creation
    kept = [version for version in versions[:-1] if store.revision(report.id, version)]
    assert versions[0] not in kept
    # The folded versions of the last day, and at most PRUNE_EVERY older ones waiting.
    assert day_of_saves <= len(kept) <= day_of_saves + PRUNE_EVERY
    assert kept == versions[-1 - len(kept):-1]  # the newest ones


# Parts -----------------------------------------------------------------------------------------


def _event(**fields: Any) -> dict[str, Any]:
    return {"id": "ev-new", "at": "2026-10-03T10:00:00+02:00", "kind": "other",
            "description": "A new event.", "contributing": False, **fields}


def _lessons(**fields: str) -> dict[str, str]:
    return {**SAMPLE_DOCUMENT["lessons"], **fields}


def _edit_row(rows: str, index: int, **fields: Any) -> list[dict[str, Any]]:
    edited = json.loads(json.dumps(SAMPLE_DOCUMENT[rows]))
    edited[index].update(fields)
    return edited


EVERY_PART: dict[str, tuple[dict[str, Any], dict[str, list[str]]]] = {
    "title": ({"title": "New title"}, {"title": []}),
    "service": ({"service": "payments"}, {"service": []}),
    "severity": ({"severity": "SEV1"}, {"severity": []}),
    "status": ({"status": "in_review"}, {"status": []}),
    "audience": ({"audience": "Globex"}, {"audience": []}),
    "language": ({"language": "fr"}, {"language": []}),
    "authors": ({"authors": ["Dana Lee"]}, {"authors": []}),
    "timezone": ({"timezone": "Asia/Tokyo"}, {"timezone": []}),
    "started_at": ({"started_at": "2026-10-03T09:10:00+02:00"}, {"started_at": []}),
    "detected_at": ({"detected_at": "2026-10-03T09:21:00+02:00"}, {"detected_at": []}),
    "resolved_at": ({"resolved_at": "2026-10-03T11:03:00+02:00"}, {"resolved_at": []}),
    "apology": ({"apology": "Sorry."}, {"apology": []}),
    "summary": ({"summary": "Shorter."}, {"summary": []}),
    "impact": ({"impact": "Fewer orders."}, {"impact": []}),
    "went_well": ({"lessons": _lessons(went_well="Fast.")}, {"went_well": []}),
    "went_wrong": ({"lessons": _lessons(went_wrong="Slow.")}, {"went_wrong": []}),
    "lucky": ({"lessons": _lessons(lucky="Quiet day.")}, {"lucky": []}),
    "no_single_root_cause": ({"no_single_root_cause": True}, {"no_single_root_cause": []}),
    "follow_up_review_on": ({"follow_up_review_on": "2026-12-04"}, {"follow_up_review_on": []}),
    "follow_up_outcome": ({"follow_up_outcome": "All done."}, {"follow_up_outcome": []}),
    "follow_up_held_on": ({"follow_up_held_on": "2026-12-04"}, {"follow_up_held_on": []}),
    "impact_internal": ({"internal_parts": ["impact"]}, {"impact_internal": []}),
    "went_well_internal": ({"internal_parts": ["lessons.went_well"]},
                           {"went_well_internal": []}),
    "went_wrong_internal": ({"internal_parts": ["lessons.went_wrong"]},
                            {"went_wrong_internal": []}),
    "lucky_internal": ({"internal_parts": ["lessons.lucky"]}, {"lucky_internal": []}),
    "timeline: a row added": ({"timeline": [*SAMPLE_DOCUMENT["timeline"], _event()]},
                              {"timeline": ["ev-new"]}),
    "timeline: a row edited": ({"timeline": _edit_row("timeline", 1, description="Paged.")},
                               {"timeline": ["ev-alert"]}),
    "timeline: a row ticked internal": ({"timeline": _edit_row("timeline", 2, internal=True)},
                                        {"timeline": ["ev-moved"]}),
    "timeline: a row removed": ({"timeline": SAMPLE_DOCUMENT["timeline"][1:]},
                                {"timeline": ["ev-release"]}),
    "factors: a row edited": ({"factors": _edit_row("factors", 1, root_cause=True)},
                              {"factors": ["f-checklist"]}),
    "factors: rows swapped": ({"factors": SAMPLE_DOCUMENT["factors"][::-1]}, {"factors": []}),
    "actions: two rows": ({"actions": [
        {**SAMPLE_DOCUMENT["actions"][0], "owner": "SRE"},
        {**SAMPLE_DOCUMENT["actions"][1], "status": "done"}]},
        {"actions": ["a-remove", "a-checklist"]}),
    "a field this version does not know": ({"x-ticket": "INC-9"}, {"extra": []}),
}


@pytest.mark.parametrize("change", EVERY_PART, ids=list(EVERY_PART))
def test_each_kind_of_part_is_recorded(store: ReportStore, change: str) -> None:
    fields, expected = EVERY_PART[change]
    report = store.create(from_document(_doc()), author=DANA)
    store.save(report.id, from_document(_doc(**fields)), author=DANA)
    assert store.revisions(report.id)[0].parts == expected


def test_every_part_of_the_page_has_words_and_is_tested() -> None:
    tested = {part for _fields, parts in EVERY_PART.values() for part in parts}
    assert set(LABELS) | {"status", "extra"} == set(PART_WORDS) == tested


def test_several_parts_at_once_in_the_pages_order_and_a_new_reports_parts(
    store: ReportStore,
) -> None:
    changed = _doc(summary="New.", title="New title",
                   actions=[{**SAMPLE_DOCUMENT["actions"][1], "status": "done"}])
    report = store.create(from_document(_doc()))
    store.save(report.id, from_document(changed))
    assert list(store.revisions(report.id)[0].parts or {}) == ["title", "summary", "actions"]
    assert store.revisions(report.id)[0].parts == {
        "title": [], "summary": [], "actions": ["a-checklist", "a-remove"]}
    blank = store.create(from_document({"format": "hindsight-report/1"}))
    assert store.revisions(blank.id)[0].parts == {}


def test_a_folded_group_joins_its_parts_and_counts_each_row_once(
    store: ReportStore, clock: Clock
) -> None:
    report = store.create(from_document(_doc()), author=DANA)
    for step in range(3):
        clock.wait(minutes=1)
        _autosave(store, report.id, summary=f"Step {step}.",
                  timeline=_edit_row("timeline", 0, description=f"Step {step}."))
    clock.wait(minutes=1)
    _autosave(store, report.id, summary="Step 2.", title="Renamed",
              timeline=_edit_row("timeline", 0, description="Step 2."),
              actions=_edit_row("actions", 0, owner="SRE"))
    group = store.revisions(report.id)[0]
    assert group.saves == 4
    assert group.parts == {"title": [], "summary": [], "timeline": ["ev-release"],
                           "actions": ["a-remove"]}
    assert describe(group.parts) == ("Changed the title, the summary, 1 timeline event and "
                                     "1 action item")


def test_the_words_for_parts() -> None:
    assert describe(None) == ""
    assert describe({}) == "Nothing changed"
    assert describe({"summary": []}) == "Changed the summary"
    assert describe({"actions": ["a", "b"], "summary": [], "timeline": []}) == (
        "Changed the summary, the timeline and 2 action items")
    assert describe({"factors": ["f"], "impact_internal": []}) == (
        "Changed whether the impact is internal only and 1 contributing factor")
    assert joined({"actions": ["a"]}, {"actions": ["a", "b"], "title": []}) == {
        "title": [], "actions": ["a", "b"]}


def test_rows_from_before_ids_are_compared_place_by_place() -> None:
    before = {"timeline": [{"description": "One."}, {"description": "Two."}]}
    after = {"timeline": [{"id": "x1", "description": "One."},
                          {"id": "x2", "description": "Two!"},
                          {"id": "x3", "description": "Three."}]}
    assert changed_parts(before, after) == {"timeline": ["#2", "#3"]}


# The history page ---------------------------------------------------------------------------


def _folded_report(app: Flask, clock: Clock) -> int:
    """A report Dana wrote 09:12-09:20 (Paris) in 14 autosaves, then published steps."""
    store = store_of(app)
    report = store.create(from_document(_doc()), author=DANA)
    for step in range(14):
        clock.now = START + timedelta(seconds=step * 480 / 13)
        actions = _edit_row("actions", 0, owner="SRE")
        if step > 6:
            actions = _edit_row("actions", 1, owner="QA")
            actions[0]["owner"] = "SRE"
        _autosave(store, report.id, summary=f"Draft {step}.",
                  timeline=[*SAMPLE_DOCUMENT["timeline"][:3],
                            {**SAMPLE_DOCUMENT["timeline"][3], "description": f"Over {step}."}],
                  actions=actions)
    clock.now = START + timedelta(minutes=30)
    final = _doc(summary="Draft 13.", status="in_review",
                 timeline=[*SAMPLE_DOCUMENT["timeline"][:3],
                           {**SAMPLE_DOCUMENT["timeline"][3], "description": "Over 13."}],
                 actions=_edit_row("actions", 1, owner="QA"))
    final["actions"][0]["owner"] = "SRE"
    store.save(report.id, from_document(final), author=SAM, note="Status: In review",
               kind="status")
    return report.id


def test_the_history_page_says_who_when_what_kind_and_which_parts(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    report_id = _folded_report(app, clock)
    page = client.get(f"/reports/{report_id}/history").get_data(as_text=True)
    assert "Dana Lee" in page and "Sam Ortiz" in page
    assert "3 Oct 2026, 09:12–09:20 CEST" in page
    assert "14 autosaves" in page
    assert "Changed the summary, 1 timeline event and 2 action items" in page
    assert "Status changed to In review" in page and "Changed the status" in page
    assert "3 Oct 2026 at 09:42 CEST" in page
    assert "Started" in page and "Changed the title" not in page  # not every part again
    # Only the entries: the group's newest version, not the 13 folded into it.
    assert page.count("Bring back<span") == 2
    assert "Version 15" in page and "Version 14" not in page and "Version 2<" not in page


def test_a_folded_version_can_be_opened_and_compared(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    report_id = _folded_report(app, clock)
    hidden = client.get(f"/reports/{report_id}/history/5").get_data(as_text=True)
    assert "Draft 3." in hidden and "Differs from now" in hidden
    assert hidden.index("In version 5:") < hidden.index("Draft 3.") < hidden.index("Now:")
    current = client.get(f"/reports/{report_id}/history/16").get_data(as_text=True)
    assert "It is the current version." in current and "Differs from now" not in current
    assert "Bring back this version" not in current


def test_bringing_back_a_folded_groups_newest_version(
    app: Flask, client: FlaskClient, csrf_token: str, clock: Clock
) -> None:
    report_id = _folded_report(app, clock)
    clock.wait(minutes=5)
    response = client.post(f"/reports/{report_id}/history/15/restore",
                           data={"csrf_token": csrf_token})
    assert response.status_code == 303
    store = store_of(app)
    current = store.get(report_id)
    assert current is not None and current.version == 17
    assert current.report.summary == "Draft 13." and current.report.status == "in_review"
    newest = store.revisions(report_id)[0]
    assert (newest.kind, newest.note, newest.parts) == ("restore", "Restored version 15", {})
    page = client.get(f"/reports/{report_id}/history").get_data(as_text=True)
    assert "Version 15 brought back" in page
    assert "14 autosaves" in page  # the group is still there


def test_the_pages_autosaves_fold_and_its_save_button_does_not(
    app: Flask, client: FlaskClient, csrf_token: str, clock: Clock
) -> None:
    url = client.post("/reports", data={"csrf_token": csrf_token}).headers["Location"]
    autosave = {"X-Hindsight-Autosave": "1", "Accept": "application/json"}
    for summary, headers in (("One.", autosave), ("Two.", autosave), ("Three.", {}),
                             ("Four.", autosave)):
        clock.wait(minutes=1)
        form = {**form_values(client.get(url).get_data(as_text=True)), "summary": summary}
        assert post_page(client, url, form, headers).status_code in (200, 303)
    report_id = int(url.rsplit("/", 1)[1])
    assert _history(store_of(app), report_id) == [(5, "autosave", 1), (4, "save", 1),
                                                  (3, "autosave", 2), (1, "create", 1)]
    assert store_of(app).revisions(report_id)[0].parts == {"summary": []}


def test_imports_read_as_what_they_did(app: Flask, client: FlaskClient, clock: Clock) -> None:
    store = store_of(app)
    report = store.create(from_document(_doc()), author=DANA, kind="import")
    clock.wait(minutes=1)
    store.save(report.id, from_document(_doc(timeline=[*SAMPLE_DOCUMENT["timeline"], _event()])),
               author=DANA, note="Added 1 events from text", kind="import")
    page = client.get(f"/reports/{report.id}/history").get_data(as_text=True)
    assert "Added 1 events from text" in page and "Changed 1 timeline event" in page
    assert "Imported" in page and "Changed the title" not in page


def test_who_may_see_the_history_and_bring_a_version_back(tmp_path: Path) -> None:
    app = password_app(tmp_path)
    store = store_of(app)
    report = store.create(from_document(_doc()), author="team_author", team="acme")
    store.save(report.id, from_document(_doc(summary="Later.")), author="team_author")
    url = f"/reports/{report.id}/history"
    author = sign_in(app, "team_author")
    page = author.get(url).get_data(as_text=True)
    assert "Bring back<span" in page and "Changed the summary" in page
    assert "Bring back this version" in author.get(f"{url}/1").get_data(as_text=True)
    for name in ("reviewer", "other_author"):  # they read the history, but may not restore
        person = sign_in(app, name)
        page = person.get(url).get_data(as_text=True)
        assert "Changed the summary" in page and "Bring back" not in page
        assert "Bring back" not in person.get(f"{url}/1").get_data(as_text=True)
        assert person.post(f"{url}/1/restore").status_code == 403
    for name in ("viewer", "team_viewer"):
        person = sign_in(app, name)
        assert person.get(url).status_code == 403
        assert person.get(f"{url}/1").status_code == 403


# Backups and the migration ------------------------------------------------------------------


def test_a_backup_keeps_the_history_as_it_reads(
    store: ReportStore, clock: Clock, tmp_path: Path, new_database: Callable[[], str]
) -> None:
    report = store.create(from_document(_doc()), author=DANA)
    for step in range(3):
        clock.wait(minutes=1)
        _autosave(store, report.id, summary=f"Step {step}.")
    backup(store, tmp_path / "backup", "key")
    saved = json.loads((tmp_path / "backup" / f"reports/{report.id}.json").read_text())
    assert [(r["kind"], r["folded"], r["group_saves"]) for r in saved["revisions"]] == [
        ("create", False, 1), ("autosave", True, 1), ("autosave", True, 2),
        ("autosave", False, 3)]

    engine = make_engine(new_database())
    upgrade(engine)
    elsewhere = ReportStore(engine)
    restore(elsewhere, tmp_path / "backup", "key")
    assert elsewhere.revisions(report.id) == store.revisions(report.id)
    assert elsewhere.revision(report.id, 2).summary == "Step 0."  # type: ignore[union-attr]
    engine.dispose()


def test_a_backup_from_before_kinds_restores_with_the_parts_unknown(
    store: ReportStore, tmp_path: Path, new_database: Callable[[], str]
) -> None:
    report = store.create(from_document(_doc()), author=DANA)
    store.save(report.id, from_document(_doc(summary="Later.")), author=SAM)
    folder = tmp_path / "backup"
    backup(store, folder, "key")
    path = folder / f"reports/{report.id}.json"
    record = json.loads(path.read_text())
    for revision in record["revisions"]:
        for key in ("kind", "parts", "folded", "group_started_at", "group_saves"):
            del revision[key]
    path.write_text(json.dumps(record))
    resign(folder, "key")
    engine = make_engine(new_database())
    upgrade(engine)
    elsewhere = ReportStore(engine)
    restore(elsewhere, folder, "key", ignore_signature=True)
    assert [(r.version, r.author, r.kind, r.parts, r.saves)
            for r in elsewhere.revisions(report.id)] == [(2, SAM, None, None, 1),
                                                         (1, DANA, None, None, 1)]
    engine.dispose()


def test_the_migration_names_the_kinds_its_notes_tell(new_database: Callable[[], str]) -> None:
    engine = make_engine(new_database())
    upgrade(engine, "0012")
    document = zlib.compress(b"{}")
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO reports (id, version, created_at, updated_at, title, service, status,"
            " document, authors, search_text, client_search_text)"
            " VALUES (1, 5, :now, :now, '', '', 'draft', '{}', '', '', '')"),
            {"now": START})
        for version, note in enumerate([None, None, "Status: In review",
                                        "Restored version 1", "Action item 2 marked done"], 1):
            connection.execute(sa.text(
                "INSERT INTO revisions (report_id, version, saved_at, note, document)"
                " VALUES (1, :version, :now, :note, :document)"),
                {"version": version, "now": START, "note": note, "document": document})
    upgrade(engine)
    history = ReportStore(engine).revisions(1)
    assert [(r.version, r.kind, r.parts, r.saves) for r in history] == [
        (5, "action", None, 1), (4, "restore", None, 1), (3, "status", None, 1),
        (2, None, None, 1), (1, "create", None, 1)]
    engine.dispose()
