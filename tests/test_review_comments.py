"""Review comments per part: kept, shown beside the part, resolvable, escaped, guarded."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from reports.comments import MAX_BODY, CommentError, CommentStore, clean_body
from reports.exchange import from_document, to_document
from tests.conftest import csrf_token_from
from tests.pages import store_of, users_of
from tests.test_auth import PASSWORD, _login

HTTPS = "https://localhost"


def _comments(app: Flask) -> CommentStore:
    return CommentStore(store_of(app).engine)


def _new_report(app: Flask, document: dict[str, Any] | None = None) -> int:
    store = store_of(app)
    return store.create(from_document(document or {"title": "Checkout down"})).id


def test_store_keeps_groups_and_resolves(app: Flask) -> None:
    report_id = _new_report(app)
    store = _comments(app)
    first = store.add(report_id, "apologise", "  Name the clients.\r\n", "Rey",
                      now=datetime(2026, 11, 2, tzinfo=UTC))
    store.add(report_id, "apologise", "Shorter, please.", "Rey")
    store.add(report_id, "prevent", "Who owns action 2?", "")
    assert first.body == "Name the clients." and first.is_open
    assert store.open_count(report_id) == 3
    assert store.resolve(first.id, "Dana Lee")
    assert not store.resolve(first.id, "Dana Lee")  # once only
    found = store.for_report(report_id)
    assert list(found) == ["about", "apologise", "understand", "prevent"]
    assert [c.body for c in found["apologise"].open] == ["Shorter, please."]
    resolved = found["apologise"].resolved[0]
    assert resolved.resolved_by == "Dana Lee" and resolved.resolved_at is not None
    assert found["prevent"].open[0].author == "Reviewer"
    assert store.open_count(report_id) == 2


@pytest.mark.parametrize("body", ["", "   \n ", "x" * (MAX_BODY + 1)])
def test_empty_or_long_bodies_are_refused(body: str) -> None:
    with pytest.raises(CommentError):
        clean_body(body)


def test_control_characters_are_dropped() -> None:
    assert clean_body("ok\x00\x07 then\ttab\nline") == "ok then\ttab\nline"


def test_unknown_part_is_refused(app: Flask) -> None:
    with pytest.raises(CommentError):
        _comments(app).add(_new_report(app), "everything", "Hello", "Rey")


def test_comments_go_with_their_report_and_never_into_its_document(app: Flask) -> None:
    report_id = _new_report(app)
    _comments(app).add(report_id, "about", "A comment", "Rey")
    store = store_of(app)
    document = to_document(store.get(report_id).report)
    assert "comment" not in str(document).lower()


def test_add_and_resolve_from_the_editor(client: FlaskClient, app: Flask) -> None:
    report_id = _new_report(app)
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    token = csrf_token_from(page)
    assert 'form="add-comment-apologise"' in page and 'id="add-comment-apologise"' in page
    response = client.post(f"/reports/{report_id}/comments", data={
        "csrf_token": token, "part": "apologise", "back": "editor",
        "body": "Say <script>alert(1)</script> & who was affected.",
    })
    assert response.status_code == 303
    assert response.headers["Location"] == f"/reports/{report_id}#apologise"
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Review comments: 1 open" in page
    assert "Say &lt;script&gt;alert(1)&lt;/script&gt; &amp; who was affected." in page
    assert "<script>alert(1)" not in page
    assert "1 review comment still open" in page and "Mark as resolved" in page
    comment = _comments(app).for_report(report_id)["apologise"].open[0]
    assert comment.author == "Reviewer"  # sign-in is off

    response = client.post(f"/reports/{report_id}/comments/{comment.id}/resolve",
                           data={"csrf_token": token, "back": "editor"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/reports/{report_id}#apologise"
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Review comments: 1 open" not in page and "still open" not in page
    assert "1 resolved comment on this part" in page and "Resolved by Reviewer" in page


def test_bad_comments_come_back_with_a_message(client: FlaskClient, app: Flask) -> None:
    report_id = _new_report(app)
    token = csrf_token_from(client.get(f"/reports/{report_id}").get_data(as_text=True))
    response = client.post(f"/reports/{report_id}/comments",
                           data={"csrf_token": token, "part": "prevent", "body": "  "})
    assert response.headers["Location"] == f"/reports/{report_id}?comment=prevent#prevent"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Write your comment before adding it." in page
    assert '<details class="comment-add" open>' in page
    too_long = client.post(f"/reports/{report_id}/comments",
                           data={"csrf_token": token, "part": "prevent",
                                 "body": "x" * (MAX_BODY + 1)})
    assert too_long.status_code == 303
    assert _comments(app).open_count(report_id) == 0
    unknown = client.post(f"/reports/{report_id}/comments",
                          data={"csrf_token": token, "part": "nowhere", "body": "Hi"})
    assert unknown.headers["Location"] == f"/reports/{report_id}"


def test_missing_reports_and_comments_are_404(client: FlaskClient, app: Flask) -> None:
    report_id = _new_report(app)
    other = _new_report(app)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    comment = _comments(app).add(other, "about", "Elsewhere", "Rey")
    assert client.post("/reports/999/comments", data={
        "csrf_token": token, "part": "about", "body": "x"}).status_code == 404
    assert client.post(f"/reports/{report_id}/comments/{comment.id}/resolve",
                       data={"csrf_token": token}).status_code == 404
    assert client.get("/reports/999/comments").status_code == 404


def test_forms_need_a_csrf_token(tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "TESTING": True,
                      "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    report_id = _new_report(app)
    response = client.post(f"/reports/{report_id}/comments",
                           data={"part": "about", "body": "No token"})
    assert response.status_code == 400
    comment = _comments(app).add(report_id, "about", "Hello", "Rey")
    assert client.post(f"/reports/{report_id}/comments/{comment.id}/resolve").status_code == 400
    assert _comments(app).open_count(report_id) == 1


def test_published_reports_point_to_the_comments_page(client: FlaskClient, app: Flask) -> None:
    report_id = _new_report(app, {"title": "Done", "status": "published"})
    _comments(app).add(report_id, "understand", "Late thought", "Rey")
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Late thought" in page and 'form="add-comment-' not in page
    assert f'href="/reports/{report_id}/comments#understand"' in page
    assert f'href="/reports/{report_id}/comments#about"' not in page  # no comments there
    comments_page = client.get(f"/reports/{report_id}/comments").get_data(as_text=True)
    assert "Late thought" in comments_page and 'id="add-comment-about"' in comments_page


def test_comments_never_reach_an_export(client: FlaskClient, app: Flask,
                                        sample_document: dict[str, Any]) -> None:
    report_id = _new_report(app, sample_document)
    _comments(app).add(report_id, "apologise", "SECRET-REVIEW-NOTE", "Rey")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    for fmt in ("html", "md"):
        response = client.post(f"/reports/{report_id}/export/{fmt}",
                               data={"csrf_token": token})
        assert response.status_code in (200, 302, 303)
    shared = Path(app.config["SHARED_FOLDER"])
    files = [path for path in shared.rglob("*") if path.suffix in (".html", ".md")]
    assert any(path.suffix == ".md" for path in files)
    assert all("SECRET-REVIEW-NOTE" not in path.read_text() for path in files)
    view = client.get(f"/reports/{report_id}/view").get_data(as_text=True)
    body = view.split("</nav>", 1)[1]  # the banner holds links, never comments
    assert "SECRET-REVIEW-NOTE" not in body and "Review comments (1 open)" in view


@pytest.fixture
def password_app(tmp_path: Path) -> Flask:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "AUTH": "password"})
    accounts = users_of(app)
    accounts.add("dana", role="author", password=PASSWORD, display_name="Dana Lee", team="pay")
    accounts.add("rey", role="reviewer", password=PASSWORD, display_name="Rey Santos")
    accounts.add("val", role="viewer", password=PASSWORD)
    return app


def test_roles_with_sign_in(password_app: Flask) -> None:
    store = store_of(password_app)
    report_id = store.create(from_document({"title": "Ours", "status": "in_review"}),
                             team="pay").id
    url = f"/reports/{report_id}/comments"

    rey, _ = _login(password_app, "rey")
    view = rey.get(f"/reports/{report_id}/view", base_url=HTTPS).get_data(as_text=True)
    assert f'href="{url}"' in view
    page = rey.get(url, base_url=HTTPS).get_data(as_text=True)
    token = csrf_token_from(page)
    response = rey.post(url, base_url=HTTPS, data={"csrf_token": token, "part": "about",
                                                   "body": "Add the time zone."})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{url}#about"  # reviewers cannot open the editor
    comment = _comments(password_app).for_report(report_id)["about"].open[0]
    assert comment.author == "Rey Santos"

    val, _ = _login(password_app, "val")
    token = csrf_token_from(val.get(url, base_url=HTTPS).get_data(as_text=True))
    assert val.post(url, base_url=HTTPS, data={"csrf_token": token, "part": "about",
                                               "body": "Viewer says hi"}).status_code == 403
    assert val.post(f"{url}/{comment.id}/resolve", base_url=HTTPS,
                    data={"csrf_token": token}).status_code == 403
    assert 'id="add-comment-about"' not in val.get(url, base_url=HTTPS).get_data(as_text=True)

    dana, _ = _login(password_app, "dana")
    editor = dana.get(f"/reports/{report_id}", base_url=HTTPS).get_data(as_text=True)
    assert "Add the time zone." in editor and "Rey Santos" in editor
    token = csrf_token_from(editor)
    response = dana.post(f"{url}/{comment.id}/resolve", base_url=HTTPS,
                         data={"csrf_token": token, "back": "editor"})
    assert response.headers["Location"] == f"/reports/{report_id}#about"
    resolved = _comments(password_app).get(comment.id)
    assert resolved is not None and resolved.resolved_by == "Dana Lee"
