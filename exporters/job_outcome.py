"""What an export job made, kept with the job (JSON) for the page and the command line.

The export runs in a worker, perhaps in another process or on another machine, so the outcome
that the page shows and the command line prints travels through the database as plain values.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from reports.said import stored

from .service import ExportOutcome


@dataclass(frozen=True)
class JobOutcome:
    fmt: str
    copy: str
    # The local file: its export record, place in the shared folder and full path.
    local_export_id: int | None = None
    local_location: str | None = None
    local_path: str | None = None
    # Why the local file could not be made (nothing in the shared folder changed), and the cause.
    failure: str | None = None
    failure_cause: str | None = None
    # Drive: None when nothing was meant for Drive; else its notice (``reports.said.stored``:
    # shown in the reader's language) and, when made, the file.
    drive_notice: str | None = None
    drive_link: str | None = None
    drive_name: str | None = None
    drive_replaced_missing: bool = False

    @property
    def drive_meant(self) -> bool:
        return self.drive_notice is not None

    @classmethod
    def of(cls, outcome: ExportOutcome) -> JobOutcome:
        local = outcome.local
        drive = outcome.drive
        return cls(
            fmt=outcome.fmt, copy=outcome.copy,
            local_export_id=local.record.id if local else None,
            local_location=local.record.location if local else None,
            local_path=str(local.path) if local else None,
            failure=stored(outcome.failure.said) if outcome.failure is not None else None,
            failure_cause=(str(outcome.failure.__cause__)
                           if outcome.failure is not None else None),
            drive_notice=stored(drive.notice) if drive is not None else None,
            drive_link=drive.file.link if drive is not None and drive.file else None,
            drive_name=drive.file.name if drive is not None and drive.file else None,
            drive_replaced_missing=bool(drive is not None and drive.file
                                        and drive.file.replaced_missing),
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> JobOutcome:
        values = json.loads(text)
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        return cls(**known)
