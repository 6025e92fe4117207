"""Two authors' edits of one version, put together: nothing either of them wrote is lost."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.exchange import from_document, to_document
from reports.merge import merge_reports, merge_text, sentences
from reports.model import ActionItem, Factor, Report, TimelineEvent
from tests.conftest import SAMPLE_DOCUMENT
from tests.row_edits import edit_row


def _three() -> tuple[Report, Report, Report]:
    base, mine, theirs = (from_document(copy.deepcopy(SAMPLE_DOCUMENT)) for _ in range(3))
    return base, mine, theirs


def test_different_fields_are_both_kept() -> None:
    base, mine, theirs = _three()
    mine.title = "Payments failed in the EU"
    theirs.summary = "A change sent payments to an old gateway."
    merged = merge_reports(base, mine, theirs)
    assert not merged.conflicts
    assert merged.report.title == "Payments failed in the EU"
    assert merged.report.summary == "A change sent payments to an old gateway."


def test_different_sentences_of_one_text_are_both_kept() -> None:
    base, mine, theirs = _three()
    base.summary = mine.summary = theirs.summary = (
        "Payments failed for two hours.\n\nA retired gateway was still listed. We removed it.")
    mine.summary = mine.summary.replace("two hours", "almost two hours")
    theirs.summary = theirs.summary.replace("We removed it.", "We removed it the same day.")
    merged = merge_reports(base, mine, theirs)
    assert not merged.conflicts
    assert merged.report.summary == ("Payments failed for almost two hours.\n\nA retired gateway "
                                     "was still listed. We removed it the same day.")


def test_the_same_sentence_changed_two_ways_is_a_conflict_for_that_field_only() -> None:
    base, mine, theirs = _three()
    mine.summary = "A configuration change sent all traffic to the old gateway."
    theirs.summary = "A configuration change sent payments to a retired gateway."
    mine.title = "Mine"
    merged = merge_reports(base, mine, theirs)
    assert [c.path for c in merged.conflicts] == ["/summary"]
    conflict = merged.conflicts[0]
    assert (conflict.mine, conflict.theirs) == (mine.summary, theirs.summary)
    assert merged.report.summary == theirs.summary  # the saved text stays until the author picks
    assert merged.report.title == "Mine"


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    base, mine, theirs = _three()
    mine.summary = theirs.summary = "Same words."
    mine.severity = theirs.severity = "SEV1"
    merged = merge_reports(base, mine, theirs)
    assert not merged.conflicts and merged.report.summary == "Same words."


def test_rows_are_matched_by_id_not_by_place() -> None:
    base, mine, theirs = _three()
    # Theirs adds an event before every other and removes the alert; mine edits the last one.
    first = base.timeline[0].at
    assert first is not None
    theirs.timeline.insert(0, TimelineEvent(at=first - timedelta(hours=1),
                                            kind="config_change", description="Flag flipped."))
    del theirs.timeline[2]
    edit_row(mine, "timeline", 3, description="Back to normal at 11:02.")
    merged = merge_reports(base, mine, theirs)
    assert not merged.conflicts
    descriptions = [e.description for e in merged.report.timeline]
    assert descriptions == ["Flag flipped.", "Release 4.2 of the payment router went live.",
                            "Traffic moved back to the current gateway.",
                            "Back to normal at 11:02."]


def test_rows_added_by_both_are_all_kept() -> None:
    base, mine, theirs = _three()
    mine.factors.append(Factor(description="Mine"))
    theirs.factors.append(Factor(description="Theirs"))
    theirs.actions.append(ActionItem(description="Their action"))
    merged = merge_reports(base, mine, theirs)
    assert [f.description for f in merged.report.factors][-2:] == ["Theirs", "Mine"]
    assert merged.report.actions[-1].description == "Their action"


def test_an_edit_wins_over_the_removal_of_its_row() -> None:
    base, mine, theirs = _three()
    edit_row(mine, "factors", 1, description="Edited while someone removed it.")
    del theirs.factors[1]
    merged = merge_reports(base, mine, theirs)
    kept = merged.report.factors[1]
    assert kept.description == "Edited while someone removed it."
    assert kept.id == base.factors[1].id and kept.root_cause == base.factors[1].root_cause


def test_unticking_is_a_change_like_any_other() -> None:
    base, mine, theirs = _three()
    for report in (base, mine, theirs):
        edit_row(report, "factors", 0, internal=True)
        report.internal_parts = ["impact"]
    edit_row(mine, "factors", 0, internal=False)
    theirs.internal_parts = []
    merged = merge_reports(base, mine, theirs)
    assert not merged.report.factors[0].internal and merged.report.internal_parts == []


def test_links_to_factors_follow_the_factors_when_they_are_reordered() -> None:
    base, mine, theirs = _three()
    for report in (base, mine, theirs):
        edit_row(report, "actions", 0, addresses=(0,))  # the retired gateway
    theirs.factors.reverse()
    edit_row(theirs, "actions", 0, addresses=(1,))
    edit_row(mine, "actions", 1, addresses=(1,))  # the checklist
    merged = merge_reports(base, mine, theirs)
    factors = [f.description for f in merged.report.factors]
    gateway, checklist = (factors.index(SAMPLE_DOCUMENT["factors"][i]["description"])
                          for i in (0, 1))
    assert merged.report.actions[0].addresses == (gateway,)
    assert merged.report.actions[1].addresses == (checklist,)


def test_text_pieces_join_back_to_the_text() -> None:
    text = "One. Two!  Three?\nFour\n\nFive... six"
    assert "".join(sentences(text)) == text
    assert merge_text(text, text, text) == text


# ---- property: random interleavings of two authors' edits never lose an acknowledged one ----

TEXT_FIELDS = ("title", "service", "audience", "apology", "summary", "impact")
words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                max_size=30)


@st.composite
def edits(draw: st.DrawFn) -> list[tuple[str, Any]]:
    """One author's edits: fields set, sentences appended, rows added, changed or removed."""
    chosen = draw(st.lists(st.sampled_from(
        ["field", "sentence", "add_event", "edit_event", "remove_event", "tick"]),
        max_size=6))
    found: list[tuple[str, Any]] = []
    for kind in chosen:
        if kind == "field":
            found.append((kind, (draw(st.sampled_from(TEXT_FIELDS)), draw(words))))
        elif kind == "sentence":
            found.append((kind, draw(st.integers(0, 2))))
        elif kind in ("edit_event", "remove_event"):
            found.append((kind, (draw(st.integers(0, 3)), draw(words))))
        elif kind == "add_event":
            found.append((kind, (draw(st.integers(0, 600)), draw(words))))
        else:
            found.append((kind, draw(st.integers(0, 1))))
    return found


def _apply(report: Report, changes: list[tuple[str, Any]], who: str) -> dict[tuple[str, Any], Any]:
    """Apply edits; returns what this author changed: {(kind, key): value}."""
    done: dict[tuple[str, Any], Any] = {}
    ids = [e.id for e in report.timeline]
    for kind, arg in changes:
        if kind == "field":
            field, value = arg
            value = " ".join(value.split()) if field in ("title", "service", "audience") else value
            setattr(report, field, value)
            done[("field", field)] = value
        elif kind == "sentence":
            index = arg
            if index < len(report.summary.split("\n\n")):
                parts = report.summary.split("\n\n")
                parts[index] = parts[index] + f" {who} was here."
                report.summary = "\n\n".join(parts)
                done[("sentence", index)] = f"{who} was here."
                if ("field", "summary") in done:  # the summary this author set, then added to
                    done[("field", "summary")] = report.summary
        elif kind == "add_event":
            minutes, text = arg
            event = TimelineEvent(at=datetime.fromisoformat("2026-10-03T08:00:00+02:00")
                                  + timedelta(minutes=minutes), description=f"{who}:{text}")
            report.timeline.append(event)
            done[("row", event.id)] = event.description
        elif kind == "edit_event":
            index, text = arg
            rows = [e for e in report.timeline if e.id in ids]
            if index < len(rows):
                edited = replace(rows[index], description=f"{who} says {text}")
                report.timeline[report.timeline.index(rows[index])] = edited
                done[("edit", edited.id)] = edited.description
        elif kind == "remove_event":
            index, _ = arg
            rows = [e for e in report.timeline if e.id in ids]
            if index < len(rows) and ("edit", rows[index].id) not in done:
                report.timeline.remove(rows[index])
                done[("removed", rows[index].id)] = True
        else:
            edit_row(report, "factors", arg, internal=not report.factors[arg].internal)
            done[("tick", arg)] = report.factors[arg].internal
    return done


@settings(max_examples=150, deadline=None)
@given(edits(), edits())
def test_two_authors_never_lose_an_acknowledged_change(mine_edits: list[tuple[str, Any]],
                                                       theirs_edits: list[tuple[str, Any]]) -> None:
    document = copy.deepcopy(SAMPLE_DOCUMENT)
    document["summary"] = "First paragraph.\n\nSecond paragraph.\n\nThird paragraph."
    base = from_document(document)
    mine, theirs = from_document(copy.deepcopy(document)), from_document(copy.deepcopy(document))
    mine_done = _apply(mine, mine_edits, "Mine")
    theirs_done = _apply(theirs, theirs_edits, "Theirs")
    merged = merge_reports(base, from_document(to_document(mine)),
                           from_document(to_document(theirs)))
    result = merged.report
    conflicted = {c.path for c in merged.conflicts}
    by_id = {e.id: e for e in result.timeline}
    for done, other in ((mine_done, theirs_done), (theirs_done, mine_done)):
        for (kind, key), value in done.items():
            if kind == "field":
                path = f"/{key}"
                if path in conflicted:
                    continue  # the author is shown both and chooses
                if key == "summary" and any(k == "sentence" for k, _ in other):
                    continue  # checked sentence by sentence below
                if ("field", key) not in other:
                    assert getattr(result, key) == value
            elif kind == "sentence" and "/summary" not in conflicted:
                if ("field", "summary") not in done and ("field", "summary") not in other:
                    assert value in result.summary
            elif kind == "row":
                assert by_id[key].description == value
            elif kind == "edit" and f"/timeline/{key}/description" not in conflicted:
                assert key in by_id  # an edit beats a removal
                if ("edit", key) not in other:
                    assert by_id[key].description == value
            elif kind == "removed" and ("edit", key) not in other:
                assert key not in by_id
            elif kind == "tick" and ("tick", key) not in other:
                assert result.factors[key].internal == value
    # Every path named as a conflict was changed by both, two ways.
    for conflict in merged.conflicts:
        assert conflict.mine != conflict.base and conflict.theirs != conflict.base
        assert conflict.mine != conflict.theirs
