"""How the library grows: median time to render the front page and to search, by report count.

Seeds generated reports into a real SQLite file (and, with --postgresql, a PostgreSQL server)
and reports each median next to rendering the empty library in the same run.

    .venv/bin/python -m bench.bench_library [--repeat 15] [--sizes 100 1000 10000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from bench.timing import median_ms  # noqa: E402
from tests.report_factory import generated_report  # noqa: E402

TODAY = date(2026, 11, 26)


def run(database_url: str | None, sizes: list[int], repeat: int) -> None:
    with tempfile.TemporaryDirectory() as instance:
        config = {"INSTANCE_PATH": instance, "TODAY": TODAY}
        if database_url:
            config["DATABASE_URL"] = database_url
        app = create_app(config)
        store = app.extensions["hindsight.store"]
        client = app.test_client()

        def page(url: str) -> Callable[[], None]:
            def fetch() -> None:
                assert client.get(url).status_code == 200
            return fetch

        empty = median_ms(page("/"), repeat)
        print(f"  reference: empty library {empty:.1f} ms")
        print("  reports   library ms  ratio   search ms  ratio   filtered ms  ratio")
        rng = random.Random(7)
        seeded = 0
        for size in sizes:
            while seeded < size:
                store.create(generated_report(rng, TODAY, seeded))
                seeded += 1
            store.refresh_statistics()  # as a restart of the app would
            library = median_ms(page("/"), repeat)
            search = median_ms(page("/?q=certificate+checkout"), repeat)
            filtered = median_ms(page("/?service=search&severity=SEV2&year=2025&sort=edited"),
                                  repeat)
            print(f"  {size:7d}  {library:10.1f}  {library / empty:5.1f}  {search:10.1f}  "
                  f"{search / empty:5.1f}  {filtered:12.1f}  {filtered / empty:5.1f}")
        store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--postgresql", action="store_true")
    args = parser.parse_args()
    print("SQLite")
    run(None, args.sizes, args.repeat)
    if args.postgresql:
        from tests.databases import PostgresServer

        server = PostgresServer()
        server.start()
        try:
            print("PostgreSQL")
            run(server.new_database(), args.sizes, args.repeat)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
