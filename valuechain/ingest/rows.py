"""Rows the explorer cannot place, grouped by kind (extra-regio, aggregates, ISO-3 country codes, old NUTS codes,
regions outside the programme area, unknown regions, other unusable values) and missing-value markers: each group
counted with examples, left out or recoded only as the analyst chose (RowChoices), never dropped uncounted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from valuechain import schema
from valuechain.geo import in_programme_area
from valuechain.ingest.cells import _plain_numbers
from valuechain.ingest.common import _NUMBER, _label, _matches
from valuechain.ingest.options import RowChoices
from valuechain.ingest.regions import old_district
from valuechain.ingest.suggestions import nuts_change
from valuechain.schema import Table

# ISO 3166 alpha-3 → the NUTS-0 code of the same country (Eurostat writes EL for Greece, UK for the United Kingdom).
ISO3_TO_NUTS0 = {
    "AUT": "AT", "BEL": "BE", "BGR": "BG", "CHE": "CH", "CYP": "CY", "CZE": "CZ", "DEU": "DE", "DNK": "DK",
    "EST": "EE", "GRC": "EL", "ESP": "ES", "FIN": "FI", "FRA": "FR", "HRV": "HR", "HUN": "HU", "IRL": "IE",
    "ISL": "IS", "ITA": "IT", "LIE": "LI", "LTU": "LT", "LUX": "LU", "LVA": "LV", "MLT": "MT", "NLD": "NL",
    "NOR": "NO", "POL": "PL", "PRT": "PT", "ROU": "RO", "SWE": "SE", "SVN": "SI", "SVK": "SK", "GBR": "UK",
    "ALB": "AL", "MNE": "ME", "MKD": "MK", "SRB": "RS", "TUR": "TR",
}  # fmt: skip
KIND_NAMES = {
    "extra-regio": "extra-regio codes (territory outside any region, e.g. DKZZ)",
    "aggregate": "totals or aggregates of countries, not regions (e.g. DE_TOT, EU27_2020)",
    "iso3": "ISO-3 country codes (e.g. DEU) where NUTS codes are expected",
    "old-nuts": "codes of an older NUTS version (2010, 2013 or 2016)",
    "old-district": "German district keys that a district reform dissolved or changed (e.g. Demmin, 13052, until 2011)",
    "outside-area": "regions outside the Interreg BSR programme area",
    "unknown-region": "region codes that no NUTS version knows",
    "unusable": "values the explorer cannot use (no region code at all, not a number, no year, …)",
    "missing": "missing-value markers instead of a number",
}
_EXTRA_REGIO = re.compile(r"^[A-Z]{2}Z{1,3}$")
_AGGREGATE = re.compile(r"^(EU|EA|EEA|EFTA|EU\d\d|EA\d\d)([_\d].*)?$|_TOT(AL)?$|^TOTAL$|^[A-Z]{2}_")
_NUTS = re.compile(schema.NUTS_PATTERN)
# A country behind a scheme prefix, as knowledge graphs and their exports write it (Data Commons: `country/DNK`).
_COUNTRY = re.compile(r"^COUNTRY\s*[/:]\s*([A-Z]{3})$")
_FLAGGED_MISSING = r":\s*@?[A-Za-z]{0,3}"
_MISSING_FLAGGED = re.compile(r"^:\s*@?([A-Za-z]{0,3})$")  # ':', ': c', ': @C' (2023+ notation)


@dataclass(frozen=True)
class RowGroup:
    """Rows of one kind in one column: how many, a few examples, how many a recode would place, and what became
    of them (`left_out`, `recoded`, or neither: they still block the file)."""

    kind: str
    column: str
    rows: int
    examples: tuple[str, ...]
    recodable: int
    left_out: bool
    recoded: int
    markers: tuple[tuple[str, int], ...] = ()  # missing: each marker as typed with its count

    @property
    def message(self) -> str:
        joined = "; " if self.kind == "unusable" else ", "  # its examples may be sentences with commas
        shown = joined.join(self.examples) + (" …" if self.rows > len(self.examples) else "")
        counted = "1 row has" if self.rows == 1 else f"{self.rows:,} rows have"
        head = f"{counted} {KIND_NAMES[self.kind]}: {shown}"
        if self.kind == "unusable" and all(e.strip().isdigit() for e in self.examples):
            head += " (national region keys, not NUTS codes: map the column with the region names instead)"
        if self.kind == "missing":
            head = f"{counted} {KIND_NAMES[self.kind]}: " + ", ".join(
                f"'{m}' {n:,}" if m else f"empty {n:,}" for m, n in self.markers
            )
            if self.left_out:
                return f"{head}; left out of the stored rows, counted in the version's record with their flags"
            return f"{head}; stored as missing values (no number) with their flags (c = confidential stays so)"
        done = []
        if self.recoded:
            done.append(f"{self.recoded:,} recoded as chosen (one-to-one correspondence)")
        if self.left_out:
            done.append(f"{self.rows - self.recoded:,} left out as chosen, counted in the version's record")
        if done:
            return f"{head}; " + " and ".join(done)
        offer = "leave them out" + (f", or recode {self.recodable:,} of them" if self.recodable else "")
        return f"{head}: {offer}"


def region_kind(code: str, known: set[str]) -> tuple[str, str | None] | None:
    """(kind, one-to-one NUTS 2021 code or None) of an unknown region value; None for a known region."""
    if code in known:
        return None
    value = code.strip().upper()
    if _EXTRA_REGIO.match(value):
        return "extra-regio", None
    if _AGGREGATE.search(value):
        return "aggregate", None
    iso3 = _COUNTRY.sub(r"\1", value)
    if iso3 in ISO3_TO_NUTS0:
        target = ISO3_TO_NUTS0[iso3]
        return "iso3", target if target in known else None
    if old_district(value):
        return "old-district", None
    change = nuts_change(value)
    if change is not None:
        recoded = change.codes_2021[0] if change.recodable else None
        return "old-nuts", recoded if recoded in known else None
    if _NUTS.match(code.strip()):
        return ("outside-area" if not in_programme_area(value) else "unknown-region"), None
    return "unusable", None


def with_group_hints(suggest: schema.Suggest, known: set[str]) -> schema.Suggest:
    """Hints that name a row's group where the region value belongs to one the report offers (extra-regio, an
    aggregate, an ISO-3 code), so that its row's message and its group say the same; else `suggest`'s hint."""

    def hint(reference: str, value: str) -> str | None:
        kind = region_kind(value.strip(), known) if reference == "regions.nuts_id" and known else None
        if kind is None or kind[0] not in ("extra-regio", "aggregate", "iso3"):
            return suggest(reference, value)
        code = value.strip().upper()
        if kind[0] == "extra-regio":
            return f"{code} is an extra-regio code (territory outside any region): leave these rows out"
        if kind[0] == "aggregate":
            return f"{code} is a total or an aggregate of countries, not a region: leave these rows out"
        if kind[1] is None:
            country = ISO3_TO_NUTS0.get(code[-3:], "")
            return f"{code} is the ISO-3 code of {country}, a country outside the programme area: leave these rows out"
        return f"{code} is the ISO-3 code of the country {kind[1]}: recode these rows to {kind[1]}, or leave them out"

    return hint


@dataclass
class Triage:
    frame: pd.DataFrame
    rows: np.ndarray
    labels: dict[str, Any]
    groups: list[RowGroup]
    left_out: pd.DataFrame  # file row, kind, column, value, then the row's mapped cells
    undecided: np.ndarray  # kept rows in one of these region groups, not left out: offered here, not again
    numbers: dict[str, pd.Series] = field(default_factory=dict)  # columns found to be plain numbers, as floats


def triage(
    frame: pd.DataFrame,
    t: Table,
    rows: np.ndarray,
    labels: dict[str, Any],
    known: dict[str, set[str]],
    choices: RowChoices,
) -> Triage:
    """Groups unplaceable region values and missing-value markers, recodes and leaves out as chosen."""
    if t is schema.REGIONS:
        return Triage(frame, rows, labels, [], _no_rows(frame), np.zeros(len(frame), dtype=bool))
    frame = frame.copy(deep=False)
    drop = np.zeros(len(frame), dtype=bool)
    undecided = np.zeros(len(frame), dtype=bool)
    why = np.zeros(len(frame), dtype=np.int8)  # per row, the position in `reasons` of why it is left out
    reasons = [""]
    groups: list[RowGroup] = []
    regions = known.get("regions.nuts_id", set())
    for col in t.columns:
        if col.references != "regions.nuts_id" or col.is_list or col.name not in frame or not regions:
            continue
        codes, distinct = schema.text_codes(frame[col.name])
        kinds = [region_kind(str(v).strip(), regions) if str(v).strip() else None for v in distinct]
        for kind in dict.fromkeys(k[0] for k in kinds if k is not None):
            per_value = np.array([k is not None and k[0] == kind for k in kinds], dtype=bool)
            hits = schema.spread(per_value, codes) & ~drop
            if not hits.any():
                continue
            targets = {str(v): k[1] for v, k in zip(distinct, kinds, strict=True) if k is not None and k[0] == kind}
            values = frame[col.name].astype("str")
            recodable = hits & values.map(lambda v, targets=targets: targets.get(v) is not None).to_numpy(dtype=bool)
            examples = tuple(dict.fromkeys(values[hits]))[:5]
            recode = kind in choices.recode
            if recode and recodable.any():
                frame[col.name] = values.where(~recodable, values.map(targets)).astype("str")
            rest = hits & ~recodable if recode else hits
            leave = kind in choices.leave_out
            if leave:
                drop |= rest
                why[rest] = len(reasons)
                reasons.append(kind)
            else:
                undecided |= rest
            groups.append(
                RowGroup(kind, _label(labels, col.name, 0), int(hits.sum()), examples, int(recodable.sum()),
                         leave and bool(rest.any()), int(recodable.sum()) if recode else 0)
            )  # fmt: skip
    tokens = sorted({re.escape(m.strip()) for m in choices.missing}, key=len, reverse=True)
    alternatives = "|".join([*tokens, _FLAGGED_MISSING])
    marker_pattern = rf"^\s*(?:{alternatives})\s*$"
    # A column of plain numbers holds no marker unless the analyst named a number as one: arrow's cast tells so
    # at a third of the cost of the marker pattern on a million values.
    number_marker = any(re.fullmatch(_NUMBER, m.strip()) for m in choices.missing)
    numbers: dict[str, pd.Series] = {}  # handed on, so that the numbers are cast once
    for col in t.columns:
        if col.dtype not in ("int", "float") or col.name not in frame or pd.api.types.is_numeric_dtype(frame[col.name]):
            continue
        plain = None if number_marker else _plain_numbers(frame[col.name])
        if plain is not None:
            numbers[col.name] = plain
            continue
        marker = _matches(frame[col.name], marker_pattern) & ~drop  # RE2, once per distinct value
        if not marker.any():
            continue
        text = frame[col.name].astype("str").str.strip()
        marked = text[marker]
        flags = marked.str.extract(_MISSING_FLAGGED)[0].fillna("").str.lower()
        if "flag" in t.column_names:
            old = frame["flag"].astype("str").fillna("") if "flag" in frame else pd.Series("", index=frame.index)
            new_flag = old.copy()
            new_flag[marker] = old[marker].where(old[marker].str.strip() != "", flags)
            frame["flag"] = new_flag.astype("str")
        frame[col.name] = text.where(~marker, "").astype("str")
        examples = tuple(dict.fromkeys(marked))[:5]
        counts = marked.value_counts()
        markers = tuple(sorted(((str(m), int(n)) for m, n in counts.items()), key=lambda mn: (-mn[1], mn[0])))
        left_out = col.required and not col.empty_cells
        if left_out:
            drop |= marker
            why[marker] = len(reasons)
            reasons.append("missing")
        groups.append(
            RowGroup("missing", _label(labels, col.name, 0), int(marker.sum()), examples, 0, left_out, 0, markers)
        )
    if not drop.any():
        return Triage(frame, rows, labels, groups, _no_rows(frame), undecided, numbers)
    left = left_rows(frame, rows, np.flatnonzero(drop), "")
    left["left_out_as"] = np.array(reasons, dtype=object)[why[drop]]
    keep = ~drop
    kept_labels = {k: (v[keep] if isinstance(v, np.ndarray) else v) for k, v in labels.items()}
    kept_numbers = {k: pd.Series(v.to_numpy()[keep]) for k, v in numbers.items()}
    return Triage(
        frame[keep].reset_index(drop=True), rows[keep], kept_labels, groups, left, undecided[keep], kept_numbers
    )


def _no_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(columns=["file_row", "left_out_as", *frame.columns])


def left_rows(frame: pd.DataFrame, rows: np.ndarray, positions: np.ndarray, kind: str) -> pd.DataFrame:
    """The rows at `positions`, as the version's record keeps left-out rows: file row, kind, then their cells."""
    left = frame.iloc[positions].astype("str").reset_index(drop=True)
    left.insert(0, "left_out_as", kind)
    left.insert(0, "file_row", rows[positions])
    return left


def left_out_counts(left_out: pd.DataFrame) -> dict[str, int]:
    """Rows left out per kind, for the version's record."""
    if left_out.empty:
        return {}
    return {str(k): int(v) for k, v in left_out["left_out_as"].value_counts().items()}
