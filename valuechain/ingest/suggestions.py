"""Hints for unknown codes in the report: NUTS version changes, regions outside the BSR, close codes."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from valuechain import schema
from valuechain.geo import BSR_COUNTRIES, BSR_DE_PREFIXES, in_programme_area
from valuechain.ingest.common import DATA_DIR
from valuechain.ingest.regions import old_district

if TYPE_CHECKING:
    from valuechain.ingest.checks import Context


NUTS_CORRESPONDENCE_FILE = DATA_DIR / "nuts_correspondence.csv"
NUTS_VERSION = 2021  # the version of the regions table
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@lru_cache(maxsize=1)
def nuts_correspondence() -> pd.DataFrame:
    """Every NUTS code change 2010→2013→2016→2021→2024 (data/nuts_correspondence.csv, built from Eurostat's
    change workbooks by scripts/build_nuts_correspondence.py)."""
    return pd.read_csv(NUTS_CORRESPONDENCE_FILE, dtype=str, keep_default_na=False)


@dataclass(frozen=True)
class NutsChange:
    """What became of an old NUTS code by NUTS 2021: `kind` recoded (only the code changed, one to one, so the
    values may be recoded) or split / merged / boundary shift / discontinued (they may not)."""

    code: str
    name: str
    version: int
    kind: str
    codes_2021: tuple[str, ...]
    note: str

    @property
    def recodable(self) -> bool:
        return self.kind == "recoded" and len(self.codes_2021) == 1


def nuts_change(code: str) -> NutsChange | None:
    """The chain of changes from the latest version before 2021 in which `code` existed to NUTS 2021."""
    table = nuts_correspondence()
    steps = {(r.old_code, int(r.old_version)): r for r in table.itertuples() if int(r.old_version) < NUTS_VERSION}
    versions = sorted((v for c, v in steps if c == code), reverse=True)
    if not versions:
        return None
    first = steps[(code, versions[0])]
    kind, notes, finals = "recoded", [str(first.note)], []
    todo = [(code, versions[0])]
    while todo:
        current, version = todo.pop()
        step = steps.get((current, version))
        if step is None:
            finals.append(current)
            continue
        if step.change != "recoded" and kind == "recoded":
            kind = str(step.change)
        nxt = int(step.new_version)
        todo += [(c, nxt) for c in str(step.new_codes).split(";") if c]
    if kind == "recoded" and len(finals) != 1:
        kind = "split"
    return NutsChange(code, str(first.name), versions[0], kind, tuple(dict.fromkeys(finals)), "; ".join(notes))


def _excel_date_damage(value: str, pool: Sequence[str], names: Mapping[str, str]) -> str | None:
    """'dec-00' or '00-Dec' (a CSV Excel saved), or '2000-12-01' (the date cell of a workbook): Excel turned a code
    such as DEC0 into a date."""
    text = value.strip().lower()
    match = re.fullmatch(r"([a-z]{3})[-/ ](\d{1,2})|(\d{1,2})[-/ ]([a-z]{3})", text)
    cell = re.fullmatch(r"\d\d(\d\d)-(\d\d)-(\d\d)(?:[ t]00:00(?::00)?)?", text)
    if match:
        month, tails = match.group(1) or match.group(4), [match.group(2) or match.group(3)]
    elif cell and 1 <= int(cell.group(2)) <= 12:  # month-year ('Dec-00' is 1 Dec 2000) or day-month ('DEC1')
        month, tails = _MONTHS[int(cell.group(2)) - 1], [cell.group(1), cell.group(3)]
    else:
        return None
    if month not in _MONTHS:
        return None
    for code in (c for digits in tails for c in (f"{month.upper()}{int(digits)}", f"{month.upper()}{digits}")):
        if code in pool:
            return (
                f"'{value}' is the code {code} ({names.get(code, '')}) turned into a date by Excel: format the "
                f"column as Text before typing or pasting codes, and write {code}"
            )
    return None


def suggester(context: Context) -> schema.Suggest:
    """Hints for unknown codes: NUTS 2016 → 2021 changes, regions outside the BSR, close codes and names."""
    names = dict(zip(context.regions["nuts_id"], context.regions["name"], strict=True))

    def suggest(reference: str, value: str) -> str | None:
        pool = sorted(context.known.get(reference, ()))
        if reference == "regions.nuts_id":
            return nuts_hint(value, pool, names)
        if reference == "sectors.nace":
            return nace_hint(value, pool)
        return _close(value, pool)

    return suggest


def nuts_hint(value: str, pool: Sequence[str], names: Mapping[str, str]) -> str | None:
    code = value.strip().upper().replace(" ", "")
    if code != value and code in pool:
        return f"did you mean '{code}'?"
    change = nuts_change(code)
    if change is not None:
        return _change_text(change, names)
    newer = nuts_correspondence()
    newer = newer[
        (newer["old_version"] == str(NUTS_VERSION)) & newer["new_codes"].str.split(";").apply(lambda c: code in c)
    ]
    if len(newer):
        old = newer.iloc[0]
        return (
            f"{code} is a NUTS {old['new_version']} code; the explorer uses NUTS {NUTS_VERSION}, where it is "
            f"{old['old_code']} {names.get(old['old_code'], old['name'])} ({old['change']})"
        )
    damage = _excel_date_damage(value, pool, names)
    if damage:
        return damage
    if re.fullmatch(r"(EU|EA|EFTA)[0-9A-Z_]*", code):
        return f"{code} is an aggregate of countries, not a region"
    reform = old_district(code)
    if reform:
        return reform
    if re.fullmatch(r"\d{2,12}", code):
        return (
            f"'{value.strip()}' is a national region key (a German district key, a Swedish county code …), not a "
            "NUTS code: map the column with the region names instead (statistical offices' tables have it next "
            "to the key), or write NUTS 2021 codes in the file"
        )
    if not re.fullmatch(r"[A-Z]{2}[0-9A-Z]{0,3}", code):
        return (
            f"'{value.strip()}' is neither a NUTS code nor the name of a NUTS 2021 region: write the region's "
            "NUTS 2021 code, or its name as Eurostat writes it"
        )
    if len(code) >= 2 and not in_programme_area(code):
        if code[:2] not in BSR_COUNTRIES:
            return (
                f"{code} is outside the Interreg BSR programme area (country {code[:2]} is not one of "
                f"{', '.join(BSR_COUNTRIES)})"
            )
        if code[:2] == "DE" and len(code) > 2:
            return (
                f"{code} is outside the Interreg BSR programme area (in Germany only the northern Länder "
                f"{', '.join(BSR_DE_PREFIXES)} belong to it)"
            )
    siblings = [p for p in pool if p[:2] == code[:2] and len(p) == len(code)]
    close = difflib.get_close_matches(code, siblings or list(pool), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"{c} ({names.get(c, '')})" for c in close) + "?"
    if siblings and 2 < len(code) <= 5:
        shown = ", ".join(siblings[:10]) + (" …" if len(siblings) > 10 else "")
        return f"the NUTS {len(code) - 2} regions of {code[:2]} are {shown}"
    return None


def _change_text(change: NutsChange, names: Mapping[str, str]) -> str:
    head = f"{change.code} ({change.name}) is a NUTS {change.version} code"
    targets = " and ".join(f"{c} {names.get(c, '')}".strip() for c in change.codes_2021)
    if change.recodable:
        return f"{head}; only its code changed: in NUTS {NUTS_VERSION} it is {targets} — recode it (use {targets})"
    if not change.codes_2021:
        return f"{head}, {change.kind} by NUTS {NUTS_VERSION} without a successor (Eurostat: {change.note})"
    verb = {"split": "split into", "merged": "merged into", "boundary shift": "with changed boundaries now"}.get(
        change.kind, f"{change.kind}:"
    )
    return (
        f"{head}, {verb} {targets} in NUTS {NUTS_VERSION}: its values cannot be recoded one to one; use "
        f"{targets} with data for NUTS {NUTS_VERSION} (Eurostat: {change.note})"
    )


def nace_hint(value: str, pool: Sequence[str]) -> str | None:
    text = value.strip().upper()
    if text != value and text in pool:
        return f"did you mean '{text}'?"
    match = re.fullmatch(r"([A-U])?\s*\.?\s*(\d{2})(\.?\d{1,2})?", text)
    if match:
        letter, digits, detail = match.groups()
        division = next((p for p in pool if p[1:] == digits and (letter is None or p[0] == letter)), None)
        if division is not None:
            if detail:
                return f"NACE groups and classes are not used: use the division '{division}'"
            return f"did you mean '{division}'?"
    if re.fullmatch(r"[A-U](-[A-U])?|[A-U]?\d{2}-[A-U]?\d{2}|[A-U](_[A-U])+", text):
        return f"'{value}' is a NACE section or aggregate: the data model uses divisions such as C16, or TOTAL"
    return _close(value, pool)


def _close(value: str, pool: Sequence[str]) -> str | None:
    lowered = {p.lower(): p for p in pool}
    if value.strip().lower() in lowered:
        return f"did you mean '{lowered[value.strip().lower()]}'?"
    close = difflib.get_close_matches(value, list(pool), n=3, cutoff=0.6)
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?" if close else None
