"""How long saving the guided page takes, by number of timeline rows.

Posts the whole form (as the page's autosave does) through Flask's test client to an app on a
real SQLite file, and reports the median time per save next to a reference measured in the same
run: rendering the list page (a request that touches the database but does no form work).

    .venv/bin/python -m bench.bench_save [--repeat 15]
"""

from __future__ import annotations

import argparse
import re
import tempfile

from app import create_app
from bench.timing import median_ms


def _form(token: str, rows: int) -> dict[str, str]:
    form = {"csrf_token": token, "title": "Benchmark report", "timezone": "Europe/Paris",
            "started_at": "2026-10-03T00:00", "resolved_at": "2026-10-05T00:00",
            "summary": "A summary. " * 50}
    for i in range(rows):
        form[f"timeline-{i}-at"] = f"2026-10-03T{i % 24:02d}:{i % 60:02d}"
        form[f"timeline-{i}-kind"] = "other"
        form[f"timeline-{i}-description"] = f"Event number {i}: something was observed. " * 3
    return form


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"INSTANCE_PATH": instance})
        client = app.test_client()
        page = client.get("/").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        url = client.post("/reports", data={"csrf_token": token}).headers["Location"]
        headers = {"X-Hindsight-Autosave": "1"}
        version = [1]
        reference = median_ms(lambda: client.get("/"), args.repeat)
        print(f"reference: list page {reference:.1f} ms (median of {args.repeat})")
        print("rows  save ms  ratio  editor load ms  ratio")
        for rows in (0, 20, 200, 500):
            form = _form(token, rows)

            def save(form: dict[str, str] = form) -> None:
                # As the page does: each save is based on the version the last one made.
                answer = client.post(url, data={**form, "base_version": str(version[0])},
                                     headers=headers)
                assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
                version[0] = answer.get_json()["version"]

            save_ms = median_ms(save, args.repeat)
            load_ms = median_ms(lambda: client.get(url), args.repeat)
            print(f"{rows:4d}  {save_ms:7.1f}  {save_ms / reference:5.1f}  "
                  f"{load_ms:14.1f}  {load_ms / reference:5.1f}")


if __name__ == "__main__":
    main()
