"""One app instance against two, on one PostgreSQL database, on this machine.

Each instance is gunicorn with ``gunicorn.conf.py`` (its default workers and threads) on a port
of its own; both share the database, the shared folder and the secret key. The authors of
``bench.load`` send their mix (open the editor, autosave, list, now and then export a PDF) to
one instance, or to the two in turn, request by request, as a load balancer without sticky
sessions would; ``/healthz`` sent the same way is the reference measured in the same run.

    .venv/bin/python -m bench.bench_instances [--seconds 10] [--authors 8 32]

Prints throughput and p50/p99 for the reference and the mix, and p50/p99 per kind of request,
for one instance and for two. Each level first runs the mix 5 s unmeasured (every worker has
drawn each page once) and waits until no export is queued. Measured 2026-12-02 on this 2-core
machine (10 s per level; other developers' tests were running, so runs differ by +-20 %):

    authors  instances  mix req/s  p50 ms  p99 ms  p99 by kind (ms): open  save  list  export
       8         1         69.5       93     489                     557   241  1062     243
       8         2         44.8      122     829                     634   307  1423     205
      32         1         61.0      417    3687                    3687  3610  3800    1933
      32         2         57.2      426    2220                    2018  1758  2680     886

(/healthz, the reference, answered 780-1040 req/s in every case.) Two instances on two cores
bring no gain, and at 8 authors a loss: the two processors are already busy with one
instance's 4 workers (drawing the editor and the list, checking the report, and the PDF exports
in the background), and a second instance adds 4 more processes competing for them, each with
its own cold caches (templates, the writing advice's remembered hints). At 32 authors the
p99 is lower with two (fewer requests queue behind one slow page in each worker), but the
throughput is the same. A second instance pays on a second machine, and keeps the app up while
one is restarted. See docs/deploy.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from itertools import count
from pathlib import Path

from bench.load import MIX, Author, _by_kind, _run_level, _summary, gunicorn

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-instances-secret-key-shared-by-every-instance"
WARM_UP = 5.0  # seconds of the mix, not measured, before each level


@contextmanager
def instance(database_url: str, shared: str) -> Iterator[str]:
    """One more instance on the same database and shared folder, with the shared key."""
    with gunicorn(database_url, {"HINDSIGHT_SHARED_FOLDER": shared,
                                 "HINDSIGHT_SECRET_KEY": SECRET}, patience=120) as url:
        yield url


def drain(database_url: str, patience: float = 600.0) -> None:
    """Wait until no export is queued or running: each measurement starts with an idle
    machine, not with the exports the last one asked for still being made."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    deadline = time.monotonic() + patience
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                active = connection.execute(sa.text(
                    "SELECT count(*) FROM export_jobs WHERE status IN ('queued', 'running')"
                )).scalar_one()
            if not active:
                return
            time.sleep(0.5)
    finally:
        engine.dispose()


class Balanced:
    """One author whose requests go to each instance in turn (cookies are per host, not port:
    the session and its form token travel to every instance)."""

    def __init__(self, bases: list[str], report_id: int):
        self.bases = bases
        self.author = Author(bases[0], report_id)
        self.turn = count()

    def act(self, action: str) -> str:
        base = self.bases[next(self.turn) % len(self.bases)]
        self.author.base = base
        self.author.url = f"{base}/reports/{self.author.report_id}"
        return self.author.act(action)


def measure(bases: list[str], database_url: str, authors: int, seconds: float) -> None:
    sample = json.loads((ROOT / "bench" / "sample_report.json").read_text())
    actions = [name for name, weight in MIX for _ in range(weight)]
    report_ids = []
    for _ in range(authors):
        request = urllib.request.Request(
            f"{bases[0]}/api/reports", data=json.dumps(sample).encode(), method="POST",
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            report_ids.append(json.loads(response.read())["id"])
    people = [Balanced(bases, report_id) for report_id in report_ids]

    def trivial(index: int) -> Callable[[], str]:
        turn = count(index)

        def healthz() -> str:
            urllib.request.urlopen(f"{bases[next(turn) % len(bases)]}/healthz", timeout=60).read()
            return "healthz"
        return healthz

    def realistic(index: int) -> Callable[[], str]:
        chooser = random.Random(index)
        return lambda: people[index].act(chooser.choice(actions))

    _run_level(realistic, authors, WARM_UP)  # every worker has rendered each page once
    drain(database_url)
    ref_by_kind, ref_errors = _run_level(trivial, authors, seconds)
    mix_by_kind, mix_errors = _run_level(realistic, authors, seconds)
    ref = [ms for values in ref_by_kind.values() for ms in values]
    mix = [ms for values in mix_by_kind.values() for ms in values]
    label = f"{authors:2d} authors, {len(bases)} instance{'s' if len(bases) > 1 else ' '}"
    print(f"  {label}  reference  {_summary(ref, ref_errors, seconds)}")
    ratio = (len(mix) / len(ref)) if ref else float("nan")
    p50_ratio = statistics.median(mix) / statistics.median(ref) if ref and mix else float("nan")
    print(f"  {label}  mix        {_summary(mix, mix_errors, seconds)}  throughput ratio "
          f"{ratio:.3f}  p50 ratio {p50_ratio:.1f}")
    print(f"  {label}  by kind (ms)  {_by_kind(mix_by_kind)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--authors", type=int, nargs="+", default=[8, 32])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.databases import PostgresServer

    server = PostgresServer()
    server.start()
    try:
        database = server.new_database()
        shared = tempfile.mkdtemp(prefix="hindsight-shared-")
        print(f"PostgreSQL, {os.cpu_count()} cores")
        for how_many in (1, 2):
            with ExitStack() as stack:
                bases = [stack.enter_context(instance(database, shared))
                         for _ in range(how_many)]
                for authors in args.authors:
                    measure(bases, database, authors, args.seconds)
                drain(database)  # the last level's exports end before the next set-up
    finally:
        server.stop()


if __name__ == "__main__":
    main()
