"""Region names, "code name" cells and German postal codes read as NUTS 2021 codes (issue 10, items 5 and 7).

Label-only spreadsheets and national project lists name regions instead of coding them ("Nordjylland",
"Łódzkie", also "Lódz" as Latin-1 files write it); statistical offices' table tools write code and name in one
cell ("DK01 Hovedstaden"). Each distinct name is matched once against the NUTS 2021 names of the regions
table, case-, diacritic- and punctuation-insensitive; every match is listed as a warning so the analyst reviews
it, and a name that fits several regions is an error that lists them: it is asked, never guessed.

Project lists often give the operation's postal code (`24103 Kiel`). A column is read by postal code only when
every such value is in GISCO's postcode → NUTS-3 correspondence shipped in data/postcodes_nuts3_de.csv (cut to
Schleswig-Holstein, see data/README.md): other countries' five-digit codes would otherwise be taken as German.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from valuechain.ingest.common import DATA_DIR, _label, _Problems
from valuechain.schema import Table

# Letters that Unicode does not decompose into a base letter and an accent.
_PLAIN = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "œ": "oe"})
# Words that say what kind of region a name is, not which: dropped in the second, looser pass.
_GENERIC = {
    "region",
    "regionen",
    "regione",
    "landkreis",
    "kreis",
    "kreisfreie",
    "stadt",
    "wojewodztwo",
    "miasto",
    "maakunta",
    "lan",
    "county",
    "kommune",
    "apskritis",
    "novads",
    "maakond",
    "fylke",
    "of",
}
# Titles a town carries in one source and not in another ("Kiel, Landeshauptstadt, Kreisfreie Stadt" is
# "Kiel, Kreisfreie Stadt"): dropped when names are compared as sets of words.
_TITLES = {"landeshauptstadt", "hansestadt", "universitatsstadt", "wissenschaftsstadt"}
_POSTCODES_FILE = DATA_DIR / "postcodes_nuts3_de.csv"
_POSTCODE = re.compile(r"^\s*(?:D-|DE-)?(\d{5})(?:\s+\D.*)?$")  # '24103', '24103 Kiel', 'D-24103'
_CODE_NAME = re.compile(r"^\s*([A-Z]{2}[0-9A-Z]{0,3})\s*(?:[-–:]\s*|\s+)(\S.*)$")
# A code behind a scheme prefix, as knowledge graphs and their exports write it (Data Commons: `nuts/DK01`).
_PREFIXED = re.compile(r"^\s*nuts\s*[/:]\s*([A-Z]{2}[0-9A-Z]{0,3})\s*$", re.IGNORECASE)


def name_key(text: object, loose: bool = False) -> str:
    """A region name reduced to lower-case ASCII words: 'Łódź', 'LODZ' and the Latin-1 'Lódz' are equal."""
    folded = unicodedata.normalize("NFKD", str(text).translate(_PLAIN)).casefold()
    words = re.sub(r"[^0-9a-z]+", " ", "".join(c for c in folded if not unicodedata.combining(c))).split()
    if loose:
        words = [w for w in words if w not in _GENERIC | _TITLES] or words
    return " ".join(words)


def _word_key(text: object) -> str:
    """The name's words in any order and without titles: 'Kreisfreie Stadt Rostock, Hansestadt' is 'Rostock,
    Kreisfreie Stadt' (and not 'Landkreis Rostock', which the loose key could not tell apart)."""
    return " ".join(sorted({w for w in name_key(text).split() if w not in _TITLES}))


@dataclass(frozen=True)
class NameMatch:
    """How one cell text was read: `code` when one region fits, else `candidates` (several, or none)."""

    code: str | None
    candidates: tuple[str, ...] = ()
    how: str = "name"  # "name", "code and name", "postal code" or "code behind a prefix"


@lru_cache(maxsize=4)
def _name_index(codes: tuple[str, ...], names: tuple[str, ...]) -> dict[tuple[str, str], list[str]]:
    """Region codes by their name's key, exact and loose: built once per regions table, not per check."""
    index: dict[tuple[str, str], list[str]] = {}
    for code, name in zip(codes, names, strict=True):
        for kind, key in (("exact", name_key(name)), ("words", _word_key(name)), ("loose", name_key(name, True))):
            index.setdefault((kind, key), []).append(code)
    return index


@lru_cache(maxsize=1)
def postcodes() -> dict[str, str]:
    """German postal code → NUTS-3 (2021) code, from GISCO's correspondence as it is published ('DEF02';'24103')."""
    table = pd.read_csv(_POSTCODES_FILE, sep=";", dtype=str, quotechar="'")
    return dict(zip(table["CODE"], table["NUTS3"], strict=True))


def by_postcode(values: list[str], codes: set[str]) -> dict[str, NameMatch]:
    """Values read by their postal code, all or none: only when every postal-code value of the column is in the
    correspondence (and its region in the regions table)."""
    shaped = {v: m.group(1) for v in values if (m := _POSTCODE.match(v))}
    if not shaped:
        return {}
    found = {v: postcodes().get(p) for v, p in shaped.items()}
    if not all(code in codes for code in found.values()):
        return {}
    return {v: NameMatch(code, how="postal code") for v, code in found.items() if code}


def match_regions(values: list[str], regions: pd.DataFrame) -> dict[str, NameMatch]:
    """Every distinct text that is not a region code, matched to NUTS 2021 codes (see the module docstring)."""
    codes = set(regions["nuts_id"])
    unknown = [v for v in dict.fromkeys(v.strip() for v in values) if v and v not in codes]
    if not unknown:
        return {}
    levels = dict(zip(regions["nuts_id"], regions["level"], strict=True))
    index = _name_index(tuple(regions["nuts_id"]), tuple(regions["name"]))
    out = by_postcode(unknown, codes)
    for value in (v for v in unknown if v not in out):
        prefixed = _PREFIXED.match(value)
        if prefixed and prefixed.group(1).upper() in codes:
            out[value] = NameMatch(prefixed.group(1).upper(), how="code behind a prefix")
            continue
        pair = _CODE_NAME.match(value)
        if pair and pair.group(1) in codes:
            out[value] = NameMatch(pair.group(1), how="code and name")
            continue
        found = (
            index.get(("exact", name_key(value)))
            or index.get(("words", _word_key(value)))
            or index.get(("loose", name_key(value, True)))
            or []
        )
        out[value] = NameMatch(found[0]) if len(found) == 1 else NameMatch(None, tuple(sorted(found)))

    # A name several regions share (Berlin is DE3, DE30 and DE300; Leipzig DED5 and DED52) takes the NUTS level
    # that reads the most names of the file uniquely; when no level does better than another, it is asked.
    def resolved(level: int) -> int:
        unique = sum(1 for m in out.values() if m.code and levels[m.code] == level)
        return unique + sum(1 for m in out.values() if sum(levels[c] == level for c in m.candidates) == 1)

    by_level = Counter({lv: resolved(lv) for lv in {levels[c] for m in out.values() for c in m.candidates}})
    best = by_level.most_common(2)
    if best and (len(best) == 1 or best[0][1] > best[1][1]):
        # A name with no region at the file's level whose regions are one territory, each the only part of the
        # one above (a Land row in a district table: DEF and DEF0, both "Schleswig-Holstein"), is that
        # territory's total: it takes the highest level. Regions that differ (Leipzig: DED5 holds DED52 and two
        # more) are asked.
        parts = Counter(regions["parent_id"].dropna())
        for value, m in out.items():
            at_level = [c for c in m.candidates if levels[c] == best[0][0]]
            chain = sorted(m.candidates, key=len)
            if m.code is None and len(at_level) == 1:
                out[value] = NameMatch(at_level[0])
            elif (
                m.code is None
                and len(chain) > 1
                and not at_level
                and all(b.startswith(a) and parts[a] == 1 for a, b in pairwise(chain))
            ):
                out[value] = NameMatch(chain[0])
    return out


def codes_from_names(
    frame: pd.DataFrame, t: Table, rows: np.ndarray, labels: dict[str, Any], regions: pd.DataFrame, found: _Problems
) -> pd.DataFrame:
    """Region columns with names (or code-and-name cells) replaced by codes; each reading listed for review."""
    if regions.empty:
        return frame
    names = dict(zip(regions["nuts_id"], regions["name"], strict=True))
    for col in t.columns:
        if col.references != "regions.nuts_id" or col.name not in frame:
            continue
        distinct = [str(v) for v in pd.unique(frame[col.name].dropna())]  # per distinct value: a Categorical's few
        parts = {v: [p.strip() for p in v.split(";")] if col.is_list else [v.strip()] for v in distinct}
        matches = match_regions([p for ps in parts.values() for p in ps], regions)
        if not matches:
            continue
        texts = frame[col.name].astype("string").fillna("")
        first = dict(zip(texts.to_numpy()[::-1], np.arange(len(texts))[::-1], strict=True))  # the first row wins
        for value, m in matches.items():
            i = int(first[next(v for v, ps in parts.items() if value in ps)])
            if m.code is not None:
                message = f"region {m.how} '{value}' read as {m.code} ({names[m.code]}): check it in this list"
                found.add(int(rows[i]), _label(labels, col.name, i), value, "region_name", message, "warning")
            elif m.candidates:
                options = ", ".join(f"{c} ({names[c]})" for c in m.candidates)
                message = f"region name '{value}' fits several regions: {options}; write the code you mean in the file"
                found.add(int(rows[i]), _label(labels, col.name, i), value, "region_name", message)
        read = {
            v: ";".join((matches[p].code or p) if p in matches else p for p in ps)
            if col.is_list
            else (matches[ps[0]].code or v)
            if ps[0] in matches
            else v
            for v, ps in parts.items()
        }
        frame = frame.assign(**{col.name: texts.map(read)})
    return frame
