"""Links from an action item to the factors it deals with, as one checkbox per factor.

Each checkbox has its own name (``actions-0-addresses-2``) rather than sharing one name with
different values, so the page's browser copy, which keeps one value per name, restores them right.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Field

from reports import limits

_LINK = re.compile(r"^(actions-\d+-addresses-)(\d+)$")


class FactorLinksField(Field):
    """The 0-based positions of the ticked factors, from ``<name>-<position>`` checkboxes."""

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            prefix = f"{self.name}-"
            self.data = [i for i in range(limits.MAX_ROWS) if f"{prefix}{i}" in formdata]
        elif not isinstance(self.data, list):
            self.data = list(self.data or [])

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Nothing is posted under the bare name; ``process`` reads the checkboxes."""

    def _value(self) -> str:
        """The ticked positions as text (``0,2``), for code that shows any field's value."""
        return ",".join(str(position) for position in self.data or [])

    def posted_entries(self) -> list[tuple[str, str]]:
        """What a browser posts for these checkboxes: one ``<name>-<position>`` per tick."""
        return [(f"{self.name}-{position}", "y") for position in self.data or []]


def shift_factor_links(formdata: Any, moved: dict[int, int | None]) -> Any:
    """Renumber action→factor links after factors moved (old position → new, None: removed)."""
    result: MultiDict = MultiDict()
    for key, value in formdata.items(multi=True):
        match = _LINK.match(key)
        if match:
            position = moved.get(int(match.group(2)), int(match.group(2)))
            if position is None:
                continue
            key = f"{match.group(1)}{position}"
        result.add(key, value)
    return result
