"""Comparing two versions of the services table, record by record and field by field.

Formatting a spreadsheet may change (whitespace, phone spacing, ``TRUE``/``true``, e-mail case,
spaces around ``;``) is not a change. ``change_lines`` flattens a :class:`Diff` into the rows the
staff page shows and the change log records.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from geo import model
from geo.errors import DataValidationError, Problem

_FIELDS = {f.name: f for f in model.FIELDS}

#: The kinds of line in ``change_lines``.
ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class FieldChange:
    """One field of one record that differs; values as written (outer whitespace trimmed)."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class RecordChange:
    """A record present in both versions, with the fields that differ."""

    id: str
    changes: tuple[FieldChange, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.changes)


@dataclass(frozen=True)
class Diff:
    """What an import would change, by record id."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[RecordChange, ...]
    unchanged: int

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def cell_text(value: object) -> str:
    """A cell of a raw or typed table as text (lists joined with ';', NaN and None as '')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return model.LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def comparable(field: str, value: object) -> object:
    """The value of a field as compared: formatting that a spreadsheet may change is ignored.

    Whitespace runs, phone formatting (``05 663 45 50`` = ``+38656634550``), spaces around ``;``,
    e-mail case, true/TRUE/da and date spelling do not count as changes.
    """
    return _comparable_text(field, " ".join(cell_text(value).split()))


def _comparable_text(field: str, text: str) -> object:
    kind = _FIELDS[field].kind if field in _FIELDS else "text"
    if kind == "phones":
        numbers = []
        for item in model.split_list(text):
            try:
                numbers.append(model.normalise_phone(item))
            except ValueError:
                numbers.append(item)
        return tuple(numbers)
    if kind == "emails":
        return tuple(item.lower() for item in model.split_list(text))
    if kind == "enum_list":
        return tuple(model.split_list(text))
    if kind == "bool":
        try:
            return model.parse_bool(text)
        except ValueError:
            return text
    if kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return text
    if kind == "lines":
        return text.replace(" ", "")
    return text


def by_id(frame: pd.DataFrame, which: str) -> dict[str, dict]:
    """Records keyed by their trimmed id; DataValidationError when an id is missing, empty or repeated."""
    if "id" not in frame.columns:
        raise DataValidationError([Problem.said(which, 1, "id", None, "problem.column_missing")])
    records: dict[str, dict] = {}
    problems = []
    for index, record in enumerate(frame.to_dict("records")):
        record_id = cell_text(record.get("id")).strip()
        if not record_id or record_id in records:
            key = "problem.compare_id_empty" if not record_id else "problem.compare_id_duplicate"
            problems.append(Problem.said(which, index + 2, "id", record_id, key))
            continue
        records[record_id] = record
    if problems:
        raise DataValidationError(problems)
    return records


def diff(current: pd.DataFrame, new: pd.DataFrame) -> Diff:
    """Added, removed and changed records (field by field) between two versions of the table.

    Records are matched by ``id``, so reordering rows is not a change. Raises DataValidationError
    when an id is empty or repeated (validate first).
    """
    old_records = by_id(current, "current table")
    new_records = by_id(new, "new table")
    fields = [f for f in model.FIELD_NAMES if f in current.columns or f in new.columns]
    # Phone parsing is the slow part; most values repeat between the versions (memo for this call only).
    memo: dict[tuple[str, str], object] = {}

    def same(name: str, old: object, fresh: object) -> bool:
        keys = [(name, " ".join(cell_text(v).split())) for v in (old, fresh)]
        if keys[0] == keys[1]:
            return True
        for key in keys:
            if key not in memo:
                memo[key] = _comparable_text(*key)
        return memo[keys[0]] == memo[keys[1]]

    changed = []
    for record_id in (i for i in new_records if i in old_records):
        old, fresh = old_records[record_id], new_records[record_id]
        changes = tuple(
            FieldChange(name, cell_text(old.get(name)).strip(), cell_text(fresh.get(name)).strip())
            for name in fields
            if not same(name, old.get(name), fresh.get(name))
        )
        if changes:
            changed.append(RecordChange(record_id, changes))
    both = sum(1 for i in new_records if i in old_records)
    return Diff(
        added=tuple(i for i in new_records if i not in old_records),
        removed=tuple(i for i in old_records if i not in new_records),
        changed=tuple(changed),
        unchanged=both - len(changed),
    )


def change_lines(changes: Diff) -> list[dict[str, str]]:
    """One line per added record, removed record and changed field: id, change, field, old, new.

    ``change`` is ``ADDED``, ``REMOVED`` or ``CHANGED`` (the page translates it); added and removed
    records have empty field, old and new.
    """
    return (
        [{"id": i, "change": ADDED, "field": "", "old": "", "new": ""} for i in changes.added]
        + [{"id": i, "change": REMOVED, "field": "", "old": "", "new": ""} for i in changes.removed]
        + [{"id": r.id, "change": CHANGED, "field": c.field, "old": c.old, "new": c.new}
           for r in changes.changed for c in r.changes]
    )
