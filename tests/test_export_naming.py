"""File names in the shared folder: always inside it, readable, unique per report, replaced
in place on re-export. Property-based (hypothesis) for what no list of examples can cover."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporters import FORMATS
from exporters.folder import OutsideFolder, SharedFolder
from exporters.naming import RESERVED, export_names, slug
from exporters.publish import export_to_folder
from reports.exports_log import LOCAL, ExportLog
from reports.migrate import upgrade
from reports.model import Report, StoredReport
from reports.store import ReportStore, make_engine

PART = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ZONES = ["UTC", "Europe/Paris", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati"]

any_text = st.text(max_size=300)
hostile_text = st.one_of(
    any_text,
    st.sampled_from([
        "..", "../..", "../../etc/passwd", "/etc/passwd", "C:\\Windows\\system32", "CON",
        "nul", "Com1", "lpt9", "aux.txt", ".hidden", "~", "a/b\\c", "\u202etxt.exe",
        "支付中断", "결제 장애", "x" * 5000, " ", "\t\n", "-", "--r7", "report--r1",
    ]),
    st.lists(st.sampled_from(["..", "/", "\\", ".", "CON", "é", "ß", "Ж", "中", "-", " "]),
             max_size=40).map("".join),
)
moments = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9998, 12, 30),
                 timezones=st.just(UTC)),
)
ids = st.integers(min_value=1, max_value=2**53)
extensions = st.sampled_from([exporter.extension for exporter in FORMATS.values()])


def report_with(title: str, service: str, moment: datetime | None, zone: str) -> Report:
    return Report(title=title, service=service, started_at=moment, timezone=zone)


reports = st.builds(report_with, hostile_text, hostile_text, moments, st.sampled_from(ZONES))


def check_safe(name: str, root: Path) -> None:
    folder, file_name = name.split("/")
    assert folder == "undated" or re.fullmatch(r"\d{4}", folder)
    parts = file_name.split(".")
    assert parts[-1] in {e.extension for e in FORMATS.values()}
    stem = ".".join(parts[:-1])
    assert 2 <= len(parts) - 1 <= 3, name
    for part in parts[:-1]:
        core = part.split("--r")[0]
        assert PART.match(core), name
        assert core not in RESERVED
    assert len(file_name.encode()) < 200
    assert "--" not in stem.split("--r")[0]
    resolved = SharedFolder(root).path_of(name)
    assert resolved.is_relative_to(root.resolve())
    assert resolved.parent.parent == root.resolve()


@given(report=reports, report_id=ids, extension=extensions)
@settings(max_examples=400, deadline=None)
def test_no_title_or_service_can_escape_the_folder(
    report: Report, report_id: int, extension: str
) -> None:
    root = Path(tempfile.gettempdir()) / "hindsight-naming-root"
    names = export_names(report, report_id, extension)
    check_safe(names.preferred, root)
    check_safe(names.with_id, root)
    assert names.with_id.endswith(f"--r{report_id}.{extension}")


@given(a=reports, b=reports, id_a=ids, id_b=ids, extension=extensions)
@settings(max_examples=400, deadline=None)
def test_the_id_form_of_a_name_belongs_to_one_report(
    a: Report, b: Report, id_a: int, id_b: int, extension: str
) -> None:
    if id_a == id_b:
        return
    names_a = export_names(a, id_a, extension)
    names_b = export_names(b, id_b, extension)
    assert names_a.with_id != names_b.with_id
    assert names_a.with_id != names_b.preferred
    assert names_b.with_id != names_a.preferred


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Checkout unavailable for EU customers", "checkout-unavailable-for-eu-customers"),
        ("Ça a planté à Zürich — Straße", "ca-a-plante-a-zurich-strasse"),
        ("Сбой оплаты", "sboy-oplaty"),
        ("Διακοπή πληρωμών", "diakopi-pliromon"),
        ("../../etc/passwd", "etc-passwd"),
        ("CON", "con"),
        ("  Many   spaces\tand\nlines ", "many-spaces-and-lines"),
    ],
)
def test_slugs_are_readable(title: str, expected: str) -> None:
    assert slug(title, 60).text == expected


def test_name_follows_the_postmortem_convention() -> None:
    report = Report(
        title="Checkout unavailable", service="Checkout",
        started_at=datetime(2026, 10, 3, 7, 12, tzinfo=UTC), timezone="Europe/Paris",
    )
    names = export_names(report, 12, "pdf")
    assert names.preferred == "2026/10.checkout.checkout-unavailable.pdf"
    assert names.with_id == "2026/10.checkout.checkout-unavailable--r12.pdf"


def test_month_is_taken_in_the_reports_time_zone() -> None:
    moment = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    in_tokyo = Report(title="x", service="y", started_at=moment, timezone="Asia/Tokyo")
    in_utc = Report(title="x", service="y", started_at=moment, timezone="UTC")
    assert export_names(in_tokyo, 1, "md").preferred == "2026/02.y.x.md"
    assert export_names(in_utc, 1, "md").preferred == "2026/01.y.x.md"


def test_edge_names() -> None:
    assert export_names(Report(), 3, "pdf").preferred == "undated/unknown-service.untitled--r3.pdf"
    long = export_names(Report(title="word " * 100, service="s" * 300), 4, "pdf").preferred
    assert len(long) < 130
    cjk = export_names(Report(title="支付中断", service="支付"), 5, "pdf").preferred
    assert cjk == "undated/unknown-service.incident--r5.pdf"
    mixed = export_names(Report(title="Сбой 支付", service="pay"), 6, "pdf").preferred
    assert mixed == "undated/pay.sboy--r6.pdf"  # some letters lost: the id keeps it unique
    reserved = export_names(Report(title="nul", service="con"), 7, "md").preferred
    assert reserved == "undated/con-unknown-service.nul-incident.md"
    with pytest.raises(ValueError):
        export_names(Report(), 1, "../pdf")


@pytest.mark.parametrize(
    "location",
    ["", "../x.pdf", "2026/../../x.pdf", "/etc/passwd", "2026/.hidden.pdf", "a\\b.pdf",
     "2026//x.pdf", "x\x00.pdf", ".", "2026/."],
)
def test_the_folder_refuses_locations_outside_it(tmp_path: Path, location: str) -> None:
    with pytest.raises(OutsideFolder):
        SharedFolder(tmp_path).path_of(location)


def test_the_folder_refuses_a_symlink_out(tmp_path: Path) -> None:
    root = tmp_path / "shared"
    root.mkdir()
    (root / "2026").symlink_to(tmp_path)
    with pytest.raises(OutsideFolder):
        SharedFolder(root).path_of("2026/x.pdf")


# --- Exporting into a folder: replace in place, never pile up, never overwrite another's ----


class Bench:
    """A database with a few reports, a log, and a fresh shared folder per example."""

    def __init__(self, database: Path) -> None:
        self.engine = make_engine(f"sqlite:///{database}")
        upgrade(self.engine)
        self.store = ReportStore(self.engine)
        self.log = ExportLog(self.engine)
        self.ids = [self.store.create(Report()).id for _ in range(4)]

    def reset(self) -> SharedFolder:
        with self.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM exports")
        return SharedFolder(tempfile.mkdtemp(prefix="hindsight-shared-"))


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    made = Bench(tmp_path_factory.mktemp("db") / "bench.sqlite3")
    yield made
    made.engine.dispose()


def stored(report_id: int, report: Report, version: int = 1) -> StoredReport:
    now = datetime.now(UTC)
    return StoredReport(id=report_id, version=version, created_at=now, updated_at=now,
                        report=report)


def files_in(folder: SharedFolder) -> list[Path]:
    return sorted(p for p in folder.root.rglob("*") if p.is_file())


few_titles = st.sampled_from(["Outage", "outage!", "Outage 2", "Ça", "支付", "", "Payments down"])
steps = st.lists(
    st.tuples(st.integers(0, 3), few_titles, st.sampled_from(["md", "html"]),
              st.sampled_from([None, datetime(2026, 3, 5, tzinfo=UTC)])),
    min_size=1, max_size=10,
)


@given(steps=steps)
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_exports_never_overwrite_another_report_nor_pile_up(
    bench: Bench, steps: list[tuple[int, str, str, datetime | None]]
) -> None:
    folder = bench.reset()
    last: dict[tuple[int, str], bytes] = {}
    for index, title, fmt, moment in steps:
        report_id = bench.ids[index]
        report = Report(title=title, service="pay", started_at=moment,
                        summary=f"Marker for report {report_id}")
        done = export_to_folder(stored(report_id, report), fmt, folder, bench.log)
        last[(report_id, fmt)] = done.path.read_bytes()

    locations = {}
    for (report_id, fmt), content in last.items():
        location = bench.log.current_location(report_id, fmt, LOCAL)
        assert location is not None
        assert folder.path_of(location).read_bytes() == content  # nobody overwrote it
        locations[(report_id, fmt)] = location
    assert len(set(locations.values())) == len(locations)  # one file each
    files = [p for p in files_in(folder) if not p.name.startswith(".")]
    assert len(files) == len(last)  # and no copies left behind
    assert not list(folder.root.rglob("*.part"))


def test_re_export_replaces_and_a_new_title_moves_the_file(bench: Bench) -> None:
    folder = bench.reset()
    first, second = bench.ids[0], bench.ids[1]
    march = datetime(2026, 3, 5, tzinfo=UTC)
    one = export_to_folder(stored(first, Report(title="Outage", service="pay", started_at=march)),
                           "md", folder, bench.log)
    assert one.record.location == "2026/03.pay.outage.md"
    again = export_to_folder(
        stored(first, Report(title="Outage", service="pay", started_at=march, apology="Sorry"),
               version=2), "md", folder, bench.log)
    assert again.path == one.path and "Sorry" in again.path.read_text()
    assert again.record.report_version == 2

    other = export_to_folder(stored(second, Report(title="Outage", service="pay",
                                                   started_at=march)), "md", folder, bench.log)
    assert other.record.location == f"2026/03.pay.outage--r{second}.md"
    assert "Sorry" in one.path.read_text()  # the first report's file is untouched

    renamed = export_to_folder(
        stored(first, Report(title="Payments down", service="pay", started_at=march)),
        "md", folder, bench.log)
    assert renamed.record.location == "2026/03.pay.payments-down.md"
    assert not one.path.exists()  # its old file went with the new name
    assert other.path.exists()
    # The second report keeps its name even though the plain one is free again.
    kept = export_to_folder(stored(second, Report(title="Outage", service="pay",
                                                  started_at=march)), "md", folder, bench.log)
    assert kept.record.location == other.record.location


def test_a_file_nobody_exported_is_never_overwritten(bench: Bench) -> None:
    folder = bench.reset()
    hand_made = folder.root / "undated" / "pay.outage.md"
    hand_made.parent.mkdir(parents=True)
    hand_made.write_text("put here by hand")
    done = export_to_folder(stored(bench.ids[0], Report(title="Outage", service="pay")), "md",
                            folder, bench.log)
    assert done.record.location == f"undated/pay.outage--r{bench.ids[0]}.md"
    assert hand_made.read_text() == "put here by hand"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exporters.publish import ExportFailed

    folder = bench.reset()
    report = Report(title="Outage", service="pay")
    first = export_to_folder(stored(bench.ids[0], report), "md", folder, bench.log)
    before = first.path.read_bytes()

    def broken_replace(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("exporters.folder.os.replace", broken_replace)
    with pytest.raises(ExportFailed, match="No space left"):
        export_to_folder(stored(bench.ids[0], Report(title="Outage", service="pay",
                                                     apology="New")), "md", folder, bench.log)
    assert first.path.read_bytes() == before
    assert [p.name for p in files_in(folder) if p.suffix == ".part"] == []
    latest = bench.log.for_report(bench.ids[0])[0]
    assert not latest.ok and "No space left" in (latest.message or "")
    assert bench.log.current_location(bench.ids[0], "md", LOCAL) == first.record.location
