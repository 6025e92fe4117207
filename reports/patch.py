"""JSON Patch (RFC 6902) on a report's exchange document, with rows addressed by id as well.

A patch is applied to the version it names (its base). In a row list (``timeline``, ``factors``,
``actions``) a path may name a row by its place, as RFC 6901 says (``/timeline/3``), or by its
stable id (``/timeline/ev-alert``), which stays right whatever other rows were added or moved. A
row added without an ``id`` is given a new one, so two authors adding rows never make one row.

What the patch changed is then compared, value by value, with what others saved since its base
(``reports.merge``): different values both apply; the same value changed both ways is a
conflict named by its path.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .merge import ROW_LISTS, escape, leaves
from .model import new_row_id

MAX_OPERATIONS = 10_000
OPERATIONS = ("add", "remove", "replace", "move", "copy", "test")
# Fields the server keeps; a patch may not write them (the row ids are stable by design).
SERVER_FIELDS = frozenset({"id", "version", "created_at", "updated_at", "url", "format"})


class PatchError(ValueError):
    """A patch that cannot be used: ``status`` 400 (not a JSON Patch), 409 (a ``test`` failed)
    or 422 (an operation cannot be applied to this document)."""

    def __init__(self, status: int, message: str, index: int | None = None,
                 path: str | None = None):
        self.status, self.message, self.index, self.path = status, message, index, path
        where = f"operation {index}" if index is not None else "the patch"
        super().__init__(f"{where}: {message}")

    @property
    def problems(self) -> dict[str, str]:
        key = f"/{self.index}" if self.index is not None else ""
        return {key: self.message + (f" (path {self.path})" if self.path else "")}


@dataclass(frozen=True)
class Operation:
    op: str
    path: str
    value: Any = None
    from_: str | None = None
    has_value: bool = False


def parse_patch(body: Any) -> list[Operation]:
    """The operations of a JSON Patch document, or ``PatchError`` (400) saying what is wrong."""
    if not isinstance(body, list):
        raise PatchError(400, "a JSON Patch is a list of operations, e.g. "
                              '[{"op": "replace", "path": "/title", "value": "…"}]')
    if len(body) > MAX_OPERATIONS:
        raise PatchError(400, f"at most {MAX_OPERATIONS} operations in one patch")
    operations = []
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            raise PatchError(400, "must be an object with op and path", index)
        op, path = item.get("op"), item.get("path")
        if op not in OPERATIONS:
            raise PatchError(400, f"op must be one of {', '.join(OPERATIONS)}", index)
        if not isinstance(path, str) or (path and not path.startswith("/")):
            raise PatchError(400, "path must be a JSON Pointer such as /summary", index)
        from_ = item.get("from")
        if op in ("move", "copy") and (not isinstance(from_, str) or
                                       (from_ and not from_.startswith("/"))):
            raise PatchError(400, f"{op} needs from, a JSON Pointer", index)
        if op in ("add", "replace", "test") and "value" not in item:
            raise PatchError(400, f"{op} needs a value", index)
        operations.append(Operation(op, path, item.get("value"), from_, "value" in item))
    return operations


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _index(container: list[Any], token: str, in_rows: bool, adding: bool, at: str) -> int:
    """The place ``token`` names in a list: a number, ``-`` (the end, when adding) or a row id."""
    if token == "-" and adding:
        return len(container)
    if token.isdigit() and (token == "0" or not token.startswith("0")):
        index = int(token)
        if index < len(container) + (1 if adding else 0):
            return index
        raise PatchError(422, "there is no such place in the list", path=at)
    if in_rows:
        for index, row in enumerate(container):
            if isinstance(row, dict) and row.get("id") == token:
                return index
        raise PatchError(422, f"no row has the id {token!r}", path=at)
    raise PatchError(422, "a list's place must be a number", path=at)


def _parent(document: Any, pointer: str) -> tuple[Any, str, bool]:
    """The container holding what ``pointer`` names, the last token, and whether the container
    is a list of report rows."""
    tokens = _tokens(pointer)
    if not tokens:
        raise PatchError(422, "the whole document cannot be replaced by a patch; use PUT",
                         path=pointer)
    node = document
    for depth, token in enumerate(tokens[:-1]):
        if isinstance(node, dict):
            if token not in node:
                raise PatchError(422, "no such field", path=pointer)
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, depth == 1 and tokens[0] in ROW_LISTS, False,
                               pointer)]
        else:
            raise PatchError(422, "this path goes inside a value that has no fields",
                             path=pointer)
    in_rows = len(tokens) == 2 and tokens[0] in ROW_LISTS
    return node, tokens[-1], in_rows


def _get(document: Any, pointer: str) -> Any:
    if pointer == "":
        return document
    parent, token, in_rows = _parent(document, pointer)
    if isinstance(parent, dict):
        if token not in parent:
            raise PatchError(422, "no such field", path=pointer)
        return parent[token]
    if isinstance(parent, list):
        return parent[_index(parent, token, in_rows, False, pointer)]
    raise PatchError(422, "this path goes inside a value that has no fields", path=pointer)


def _remove(document: Any, pointer: str) -> Any:
    parent, token, in_rows = _parent(document, pointer)
    if isinstance(parent, dict):
        if token not in parent:
            raise PatchError(422, "no such field", path=pointer)
        return parent.pop(token)
    if isinstance(parent, list):
        return parent.pop(_index(parent, token, in_rows, False, pointer))
    raise PatchError(422, "this path goes inside a value that has no fields", path=pointer)


def _add(document: Any, pointer: str, value: Any) -> None:
    parent, token, in_rows = _parent(document, pointer)
    if in_rows:
        if not isinstance(value, dict):
            raise PatchError(422, "a row must be an object", path=pointer)
        if "id" not in value:
            value = {**value, "id": new_row_id()}
    if isinstance(parent, dict):
        parent[token] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, token, in_rows, True, pointer), value)
    else:
        raise PatchError(422, "this path goes inside a value that has no fields", path=pointer)


def _replace(document: Any, pointer: str, value: Any) -> None:
    parent, token, in_rows = _parent(document, pointer)
    if isinstance(parent, dict):
        if token not in parent:
            raise PatchError(422, "no such field", path=pointer)
        parent[token] = value
    elif isinstance(parent, list):
        index = _index(parent, token, in_rows, False, pointer)
        if in_rows:
            if not isinstance(value, dict):
                raise PatchError(422, "a row must be an object", path=pointer)
            value = {**value, "id": value.get("id", parent[index].get("id"))}
        parent[index] = value
    else:
        raise PatchError(422, "this path goes inside a value that has no fields", path=pointer)


def _check_writable(pointer: str) -> None:
    tokens = _tokens(pointer)
    if len(tokens) == 1 and tokens[0] in SERVER_FIELDS:
        raise PatchError(422, "this field is kept by the server", path=pointer)
    if len(tokens) == 3 and tokens[0] in ROW_LISTS and tokens[2] == "id":
        raise PatchError(422, "a row's id never changes; remove the row and add another",
                         path=pointer)


def apply_patch(document: dict[str, Any], operations: list[Operation]) -> dict[str, Any]:
    """A copy of ``document`` with every operation applied in order (all or nothing)."""
    result = copy.deepcopy(document)
    for index, operation in enumerate(operations):
        try:
            if operation.op != "test":
                _check_writable(operation.path)
            if operation.op == "add":
                _add(result, operation.path, copy.deepcopy(operation.value))
            elif operation.op == "remove":
                _remove(result, operation.path)
            elif operation.op == "replace":
                _replace(result, operation.path, copy.deepcopy(operation.value))
            elif operation.op in ("move", "copy"):
                assert operation.from_ is not None
                if operation.op == "move":
                    if operation.path.startswith(operation.from_ + "/"):
                        raise PatchError(422, "cannot move a value inside itself",
                                         path=operation.path)
                    _check_writable(operation.from_)
                    value = _remove(result, operation.from_)
                else:
                    value = copy.deepcopy(_get(result, operation.from_))
                    if isinstance(value, dict) and _tokens(operation.path)[0:1] == _tokens(
                            operation.from_)[0:1] and len(_tokens(operation.path)) == 2:
                        value.pop("id", None)  # a copied row is a new row, with its own id
                _add(result, operation.path, value)
            elif _get(result, operation.path) != operation.value:
                raise PatchError(409, "the value is not the one the test expects",
                                 path=operation.path)
        except PatchError as error:
            raise PatchError(error.status, error.message, index, error.path) from None
    return result


def changed_paths(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The values (rows by id) that differ between two documents, as JSON Pointers."""
    old, new = leaves(before), leaves(after)
    return {path for path in old.keys() | new.keys()
            if not path.endswith("/#order") and old.get(path) != new.get(path)}


def _written(document: dict[str, Any], pointer: str) -> str:
    """``pointer`` as ``leaves`` names values: a row by its id in ``document`` (the base)."""
    tokens = _tokens(pointer)
    if len(tokens) > 1 and tokens[0] in ROW_LISTS and tokens[1].isdigit():
        rows = document.get(tokens[0]) or []
        if int(tokens[1]) < len(rows) and isinstance(rows[int(tokens[1])], dict):
            tokens[1] = str(rows[int(tokens[1])].get("id", tokens[1]))
    return "".join(f"/{escape(token)}" for token in tokens)


def _covers(written: str, path: str) -> bool:
    """Whether writing ``written`` sets the value at ``path``, or part of it."""
    return (written == path or path.startswith(written + "/")
            or written.startswith(path + "/"))


def overlapping(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any],
                operations: Sequence[Operation] = ()) -> list[str]:
    """Paths both ``mine`` and ``theirs`` changed since ``base``, to different values.

    With the patch's ``operations``, a value the patch writes counts as changed by it even
    when it writes the value the base already had: "set the title to X" made on a version
    whose title was X, after someone else changed it to Y, is a conflict, not a no-op that
    would silently keep Y in place of the X the patch asked for.
    """
    mine_leaves, theirs_leaves = leaves(mine), leaves(theirs)
    mine_changed = changed_paths(base, mine)
    written = [_written(base, pointer) for operation in operations if operation.op != "test"
               for pointer in (operation.path, operation.from_ if operation.op == "move"
                               else None) if pointer is not None]
    both = {path for path in changed_paths(base, theirs)
            if path in mine_changed or any(_covers(w, path) for w in written)}
    return sorted(path for path in both if mine_leaves.get(path) != theirs_leaves.get(path))
