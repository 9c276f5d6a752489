"""Hints for unknown codes in the report: NUTS version changes, regions outside the BSR, close codes."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from valuechain import schema
from valuechain.geo import BSR_COUNTRIES, BSR_DE_PREFIXES, in_programme_area
from valuechain.ingest.common import DATA_DIR

if TYPE_CHECKING:
    from valuechain.ingest.checks import Context


NUTS_CHANGES_FILE = DATA_DIR / "nuts_2016_2021_changes.csv"


@lru_cache(maxsize=1)
def nuts_changes() -> pd.DataFrame:
    """NUTS 2016 codes of BSR countries that NUTS 2021 replaced (data/nuts_2016_2021_changes.csv)."""
    return pd.read_csv(NUTS_CHANGES_FILE, dtype=str, keep_default_na=False).set_index("code_2016")


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
    changes = nuts_changes()
    if code in changes.index:
        change = changes.loc[code]
        targets = " and ".join(f"{c} {names.get(c, '')}".strip() for c in change["codes_2021"].split(";"))
        return (
            f"{code} ({change['name_2016']}) is a NUTS 2016 code, {change['change']} in NUTS 2021: use "
            f"{targets} — {change['note']}"
        )
    if re.fullmatch(r"(EU|EA|EFTA)[0-9A-Z_]*", code):
        return f"{code} is an aggregate of countries, not a region"
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
