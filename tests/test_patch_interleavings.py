"""Property: two authors patching one report in any interleaving never lose an acknowledged
change. Every patch the API accepts (200) is applied to a model of the document in the order of
acceptance; at the end the stored report is the model. A refused patch (409) changes nothing."""

from __future__ import annotations

import copy
import json
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLE_DOCUMENT

PATCH = "application/json-patch+json"
FIELDS = ("title", "summary", "impact", "apology")
ROWS = ("ev-release", "ev-alert", "ev-moved", "ev-over")
words = st.text(alphabet="abc .", min_size=1, max_size=12)

step = st.one_of(
    st.tuples(st.just("field"), st.sampled_from([0, 1]), st.sampled_from(FIELDS), words),
    st.tuples(st.just("row"), st.sampled_from([0, 1]), st.sampled_from(ROWS), words),
    st.tuples(st.just("add"), st.sampled_from([0, 1]), st.integers(0, 99), words),
    st.tuples(st.just("remove"), st.sampled_from([0, 1]), st.sampled_from(ROWS), st.just("")),
    st.tuples(st.just("refresh"), st.sampled_from([0, 1]), st.just(""), st.just("")),
)


def _model_of(document: dict[str, Any]) -> dict[str, Any]:
    return {**{field: document[field] for field in FIELDS},
            "timeline": {row["id"]: row["description"] for row in document["timeline"]}}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(step, min_size=1, max_size=12))
# Found by this test: writing back the value the base had, after the other author changed it.
@example(steps=[("field", 0, "title", "aa"), ("refresh", 0, "", ""),
                ("field", 0, "title", "a"), ("field", 0, "title", "aa")])
def test_interleaved_patches_never_lose_an_accepted_change(app: Flask,
                                                           steps: list[tuple]) -> None:
    client = app.test_client()
    created = client.post("/api/reports", json=copy.deepcopy(SAMPLE_DOCUMENT)).get_json()
    url = f"/api/reports/{created['id']}"
    model = _model_of(created)
    bases = [created, created]  # what each author last read
    added = 0
    for kind, author, target, value in steps:
        base = bases[author]
        if kind == "refresh":
            bases[author] = client.get(url).get_json()
            continue
        rows = {row["id"] for row in base["timeline"]}
        if kind == "field":
            operations = [{"op": "replace", "path": f"/{target}", "value": value}]
        elif kind == "row" and target in rows:
            operations = [{"op": "replace", "path": f"/timeline/{target}/description",
                           "value": value}]
        elif kind == "remove" and target in rows:
            operations = [{"op": "remove", "path": f"/timeline/{target}"}]
        elif kind == "add":
            added += 1
            new_id = f"new-{author}-{added}"
            operations = [{"op": "add", "path": "/timeline/-", "value": {
                "id": new_id, "at": f"2026-10-03T10:{target % 60:02d}:00+02:00",
                "kind": "other", "description": value}}]
        else:
            continue
        answer = client.patch(url, data=json.dumps(operations), headers={
            "Content-Type": PATCH, "If-Match": f'"{base["version"]}"'})
        assert answer.status_code in (200, 409), answer.get_json()
        if answer.status_code == 409:
            assert answer.get_json()["version"] >= base["version"]
            continue
        # Accepted: the model takes the change, in the order of acceptance.
        operation = operations[0]
        path = operation["path"].split("/")[1:]
        if path[0] in FIELDS:
            model[path[0]] = operation["value"]
        elif operation["op"] == "remove":
            model["timeline"].pop(path[1], None)
        elif operation["op"] == "add":
            model["timeline"][operation["value"]["id"]] = operation["value"]["description"]
        else:
            model["timeline"][path[1]] = operation["value"]
    assert _model_of(client.get(url).get_json()) == model
