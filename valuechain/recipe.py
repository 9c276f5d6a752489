"""Recipes: every choice an analyst makes to load a file, as JSON, so next year's file of a source loads in one step.

A recipe holds the target table, how the file is read (the fields of `ingest.ReadOptions`: sheet, encoding,
delimiter, decimal, …), the column mapping (columns, constants for every row, kept values, a wide panel's value
columns), the dataset and mode, and the definitions of indicators the file brings. A recipe for a Eurostat dataset
also says where to fetch it (`eurostat`: dataset code, dimension filters, NUTS levels, first year, NACE codes
recoded), so the same file serves `python -m valuechain eurostat --recipe` and, for the SDMX-CSV downloaded by
hand, the upload. The Data page downloads and loads recipes; the command line (`python -m valuechain import
--recipe …`) uses the same ones. Recipes are remembered per source through the store's column-mapping memory
(`Store.save_mapping`): the mapping keys stay as they were, the rest of the recipe rides along under one extra
key, so older remembered mappings still load.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from valuechain.ingest import (
    DEFAULT_MISSING,
    LEAVE_OUT_KINDS,
    RECODE_KINDS,
    UPLOADABLE,
    ColumnMap,
    IngestError,
    ReadOptions,
    RowChoices,
)
from valuechain.schema import TABLES
from valuechain.store import Store

FORMAT = 1
_STORED_KEY = "recipe"  # the key under which the non-mapping part rides in the stored column mapping
READ_FIELDS = tuple(f.name for f in dataclasses.fields(ReadOptions))
DEFINITION_FIELDS = ("indicator_id", "name", "unit", "additive", "nonnegative", "description")
_KEYS = frozenset(
    [
        "recipe",
        "table",
        "read",
        "columns",
        "constants",
        "keep",
        "values",
        "missing",
        "leave_out",
        "recode",
        "dataset",
        "mode",
        "new_indicators",
        "eurostat",
    ]
)


@dataclass
class Recipe:
    """Every choice of one load, in the terms the Data page shows them."""

    table: str = "observations"
    read: dict[str, Any] = field(default_factory=dict)  # ReadOptions field → value (absent = detect)
    columns: dict[str, str] = field(default_factory=dict)  # table column → file column
    constants: dict[str, str] = field(default_factory=dict)  # table column → value for every row
    keep: dict[str, str] = field(default_factory=dict)  # file column → the one value whose rows are loaded
    values: dict[str, str] = field(default_factory=dict)  # wide panel: value column → the indicator it measures
    choices: RowChoices = field(default_factory=RowChoices)  # missing markers; groups of rows left out or recoded
    dataset: str = ""
    mode: Literal["update", "replace"] = "update"
    new_indicators: list[dict[str, Any]] = field(default_factory=list)
    eurostat: dict[str, Any] = field(default_factory=dict)  # where to fetch it: dataset code, filters, levels, since
    extra: dict[str, Any] = field(default_factory=dict)  # choices of later ingest stages, kept as given

    # --- conversion to what ingest takes ------------------------------------------------------------------

    def read_options(self) -> ReadOptions:
        return ReadOptions(**{k: v for k, v in self.read.items() if k in READ_FIELDS})

    def column_map(self) -> ColumnMap:
        return ColumnMap(dict(self.columns), dict(self.constants), dict(self.keep), dict(self.values))

    def definitions(self) -> pd.DataFrame | None:
        """The new indicators' definitions as the indicators table wants them (None when there are none)."""
        if not self.new_indicators:
            return None
        return pd.DataFrame([{k: d.get(k, "") for k in DEFINITION_FIELDS} for d in self.new_indicators])

    def with_mapping(self, mapping: ColumnMap) -> Recipe:
        return dataclasses.replace(
            self,
            columns=dict(mapping.columns),
            constants=dict(mapping.constants),
            keep=dict(mapping.filters),
            values=dict(mapping.values),
        )

    # --- JSON --------------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"recipe": FORMAT, "table": self.table}
        out["read"] = {k: self.read[k] for k in READ_FIELDS if self.read.get(k) is not None}
        out |= {"columns": self.columns, "constants": self.constants, "keep": self.keep}
        if self.values:
            out["values"] = self.values
        out |= {
            "missing": list(self.choices.missing),
            "leave_out": sorted(self.choices.leave_out),
            "recode": sorted(self.choices.recode),
        }
        out |= {"dataset": self.dataset, "mode": self.mode, "new_indicators": self.new_indicators}
        if self.eurostat:
            out["eurostat"] = self.eurostat
        return out | self.extra

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "recipe") -> Recipe:
        """A recipe from its JSON form; anything that cannot be one raises IngestError saying what to fix."""
        if not isinstance(data, Mapping):
            raise IngestError(f"{where}: a recipe is a JSON object ({{…}}), not {type(data).__name__}.")
        if data.get("recipe", FORMAT) != FORMAT:
            raise IngestError(f"{where}: recipe format {data.get('recipe')!r} is not known here (expected {FORMAT}).")
        table = str(data.get("table", "observations"))
        if table not in UPLOADABLE:
            raise IngestError(f"{where}: table {table!r} cannot be loaded from a file; one of {', '.join(UPLOADABLE)}.")
        read = _text_map(data.get("read", {}), where, "read")
        unknown = sorted(set(read) - set(READ_FIELDS))
        if unknown:
            raise IngestError(
                f"{where}: unknown reading option(s) {', '.join(unknown)}; known: {', '.join(READ_FIELDS)}."
            )
        names = set(TABLES[table].column_names)
        columns = _text_map(data.get("columns", {}), where, "columns")
        constants = _text_map(data.get("constants", {}), where, "constants")
        for part, given in (("columns", columns), ("constants", constants)):
            wrong = sorted(set(given) - names)
            if wrong:
                raise IngestError(
                    f"{where}: {part} names {', '.join(wrong)}, not column(s) of {table}; "
                    f"its columns are {', '.join(TABLES[table].column_names)}."
                )
        values = _text_map(data.get("values", {}), where, "values")
        if values and "indicator" not in names:
            raise IngestError(f"{where}: 'values' (one indicator per value column) is for observations, not {table}.")
        mode = data.get("mode", "update")
        if mode not in ("update", "replace"):
            raise IngestError(f"{where}: mode must be 'update' or 'replace', not {mode!r}.")
        choices = RowChoices(
            leave_out=_kinds(data.get("leave_out", []), LEAVE_OUT_KINDS, where, "leave_out"),
            recode=_kinds(data.get("recode", []), RECODE_KINDS, where, "recode"),
            missing=tuple(str(m) for m in _list(data.get("missing", list(DEFAULT_MISSING)), where, "missing")),
        )
        indicators = data.get("new_indicators", [])
        if not isinstance(indicators, list) or not all(isinstance(d, Mapping) for d in indicators):
            raise IngestError(f"{where}: new_indicators is a list of objects with {', '.join(DEFINITION_FIELDS)}.")
        eurostat = data.get("eurostat", {})
        if not isinstance(eurostat, Mapping) or (eurostat and not str(eurostat.get("code") or "").strip()):
            raise IngestError(
                f"{where}: 'eurostat' is an object with at least the dataset \"code\" "
                '(and "filters", "levels", "since", "sector_codes"), e.g. {"code": "nama_10r_3gdp"}.'
            )
        return cls(
            table=table,
            read=read,
            columns=columns,
            constants=constants,
            keep=_text_map(data.get("keep", {}), where, "keep"),
            values=values,
            choices=choices,
            dataset=str(data.get("dataset") or ""),
            mode=mode,
            new_indicators=[dict(d) for d in indicators],
            eurostat=dict(eurostat),
            extra={k: v for k, v in data.items() if k not in _KEYS},
        )

    @classmethod
    def from_json(cls, text: str | bytes, where: str = "recipe") -> Recipe:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise IngestError(f"{where} is not valid JSON: {exc}") from exc
        return cls.from_dict(data, where)

    @classmethod
    def load(cls, path: str | Path) -> Recipe:
        try:
            text = Path(path).read_bytes()
        except OSError as exc:
            raise IngestError(f"Cannot read the recipe {path}: {exc.strerror or exc}") from exc
        return cls.from_json(text, where=str(path))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    # --- remembered per source (the store's column-mapping memory) ---------------------------------------

    def stored(self) -> dict[str, str]:
        """The flat form `Store.save_mapping` keeps: the column mapping's own keys plus the rest as JSON."""
        rest = {k: v for k, v in self.to_dict().items() if k not in ("columns", "constants", "keep", "values")}
        return self.column_map().stored() | {_STORED_KEY: json.dumps(rest, ensure_ascii=False)}

    @classmethod
    def from_stored(cls, stored: Mapping[str, str], table: str) -> Recipe:
        """What was remembered for a source; a mapping stored before recipes existed gives a recipe too."""
        rest: dict[str, Any] = {}
        if _STORED_KEY in stored:
            try:
                rest = json.loads(stored[_STORED_KEY])
            except json.JSONDecodeError:
                rest = {}
        mapping = ColumnMap.from_stored(stored)
        names = set(TABLES[table].column_names)
        data = rest | {
            "table": table,
            "columns": {k: v for k, v in mapping.columns.items() if k in names},
            "constants": {k: v for k, v in mapping.constants.items() if k in names},
            "keep": mapping.filters,
            "values": mapping.values,
        }
        return cls.from_dict(data, where="remembered recipe")


def _text_map(value: Any, where: str, part: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise IngestError(f"{where}: '{part}' is an object of name → value, not {type(value).__name__}.")
    if part == "read":
        return {str(k): v for k, v in value.items() if v is not None}
    return {str(k): str(v) for k, v in value.items()}


def _list(value: Any, where: str, part: str) -> list[Any]:
    if not isinstance(value, list):
        raise IngestError(f"{where}: '{part}' is a list ([…]), not {type(value).__name__}.")
    return value


def _kinds(value: Any, known: tuple[str, ...], where: str, part: str) -> frozenset[str]:
    kinds = frozenset(str(k) for k in _list(value, where, part))
    unknown = sorted(kinds - set(known))
    if unknown:
        raise IngestError(f"{where}: {part} kind(s) {', '.join(unknown)} not known; known: {', '.join(known)}.")
    return kinds


def new_indicator(indicator_id: str, name: str, unit: str, kind: str) -> dict[str, Any]:
    """One new indicator's definition from the command line's four words (`sum`: can be summed; `rate`: not)."""
    if kind not in ("sum", "rate"):
        raise IngestError(f"--new-indicator {indicator_id}: the last word is 'sum' or 'rate', not {kind!r}.")
    return {
        "indicator_id": indicator_id,
        "name": name,
        "unit": unit,
        "additive": kind == "sum",
        "nonnegative": True,
        "description": "",
    }


def remembered(store: Store, source_key: str, table: str) -> Recipe:
    """The recipe remembered for this source and table (empty choices when there is none)."""
    return Recipe.from_stored(store.mapping(source_key, table), table)
