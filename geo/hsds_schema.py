"""Checking HSDS tables against the official HSDS 3.0 JSON Schemas (Open Referral).

The schemas (one ``<object>.json`` per HSDS object, e.g. ``../shared/reference/hsds-3.0/schema``)
describe objects; a table row is read as one object: empty cells are absent, ``number`` columns
are numbers. Each row is validated with ``jsonschema`` (Draft 2020-12, with format checks such
as ``uuid``, ``email`` and ``date-time``) against its object's schema plus the tabular form's
``tabular_required`` fields. The Frictionless types the schemas give in ``datapackage_type``
(``date``, ``time``, ``datetime``), which JSON Schema does not check, are checked here:
``time`` is ``HH:MM:SS`` and ``datetime`` RFC 3339, both with ``Z`` or a UTC offset, as HSDS asks.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from geo import hsds

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(Z|[+-](0\d|1[0-4]):[0-5]\d)$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def load_schemas(schema_dir: Path) -> dict[str, dict]:
    """Every ``<object>.json`` in ``schema_dir`` by object name (``service`` …).

    Raises FileNotFoundError when the folder holds no schema.
    """
    schemas = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(Path(schema_dir).glob("*.json"))}
    schemas.pop("openapi", None)
    if not schemas:
        raise FileNotFoundError(f"no HSDS schema files in {schema_dir}")
    return schemas


def _validators(schemas: dict[str, dict]) -> dict[str, Draft202012Validator]:
    registry = Registry().with_resources(
        (f"{name}.json", Resource.from_contents(schema, default_specification=DRAFT202012)) for name, schema in schemas.items()
    )
    validators = {}
    for name, schema in schemas.items():
        tabular = {**schema, "required": sorted({*schema.get("required", []), *schema.get("tabular_required", [])})}
        validators[name] = Draft202012Validator(tabular, registry=registry, format_checker=FormatChecker())
    return validators


def _as_object(row: dict, properties: dict) -> dict:
    """One CSV row as the JSON object HSDS describes: empty cells absent, numbers as numbers."""
    values = {}
    for column, value in row.items():
        if value is None or (isinstance(value, float) and value != value) or str(value) == "":
            continue
        kind = properties.get(column, {}).get("type")
        if kind == "number":
            try:
                value = float(value)
            except (TypeError, ValueError):
                pass  # left as text: the schema reports the wrong type
        values[column] = value
    return values


def _typed_problems(values: dict, properties: dict) -> list[str]:
    """Frictionless types JSON Schema leaves unchecked (``datapackage_type``)."""
    found = []
    for column, value in values.items():
        kind = properties.get(column, {}).get("datapackage_type")
        text = str(value)
        if kind == "time" and not _TIME.match(text):
            found.append(f"{column}: {text!r} is not HH:MM:SS with Z or a UTC offset")
        elif kind == "datetime" and not (_DATETIME.match(text) and _parses(dt.datetime.fromisoformat, text)):
            found.append(f"{column}: {text!r} is not an RFC 3339 date-time with Z or a UTC offset")
        elif kind == "date":
            if not (_DATE.match(text) and _parses(dt.date.fromisoformat, text)):
                found.append(f"{column}: {text!r} is not a YYYY-MM-DD date")
    return found


def _parses(parse, text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


def problems(tables: dict[str, pd.DataFrame], schema_dir: Path) -> list[str]:
    """Every violation of HSDS 3.0 in ``tables`` (``geo.hsds.hsds_tables``' output), as text.

    Each problem names the table, the row (0-based) and what is wrong; an empty list means valid.
    Besides the schemas: every column must be a field of its object. Raises FileNotFoundError
    like ``load_schemas``; KeyError for a table name that is not in ``geo.hsds.HSDS_OBJECTS``.
    """
    schemas = load_schemas(schema_dir)
    validators = _validators(schemas)
    found: list[str] = []
    for name, frame in tables.items():
        kind = hsds.HSDS_OBJECTS[name]
        properties = schemas[kind]["properties"]
        found += [f"{name}: column {column!r} is not an HSDS {kind} field" for column in frame.columns if column not in properties]
        for index, row in enumerate(frame.to_dict("records")):
            values = _as_object(row, properties)
            for error in validators[kind].iter_errors(values):
                where = "/".join(str(part) for part in error.absolute_path) or "row"
                found.append(f"{name}[{index}] {where}: {error.message}")
            found += [f"{name}[{index}] {message}" for message in _typed_problems(values, properties)]
    return found
