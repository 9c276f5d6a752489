"""Region names, "code name" cells, German postal codes and district keys read as NUTS 2021 codes (issue 10, items
5 and 7).

Label-only spreadsheets and national project lists name regions instead of coding them ("Nordjylland",
"Łódzkie", also "Lódz" as Latin-1 files write it); statistical offices' table tools write code and name in one
cell ("DK01 Hovedstaden"). Each distinct name is matched once against the NUTS 2021 names of the regions
table, case-, diacritic- and punctuation-insensitive; every match is listed as a warning so the analyst reviews
it, and a name that fits several regions is an error that lists them: it is asked, never guessed.

National keys are read through correspondences shipped with their provenance (data/README.md), each a
`Correspondence`: project lists give the operation's postal code (`24103 Kiel`, GISCO's postcode → NUTS-3 table in
data/postcodes_nuts3_de.csv), German statistics (GENESIS, Regionalstatistik, the Federal Employment Agency) the
official district key (`01001`, `01001 Flensburg, Stadt`; Destatis' list of districts with their NUTS-3 code in
data/district_keys_nuts3_de.csv). A column is read by a correspondence only when it knows every key of the column it
vouches for: other countries' five-digit codes would otherwise be taken as German. A district key dissolved or
changed by a district reform (data/district_key_changes_de.csv) is known but never recoded: what became of it is
said, and its rows are the `old-district` group.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
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
_DISTRICTS_FILE = DATA_DIR / "district_keys_nuts3_de.csv"
_DISTRICT_CHANGES_FILE = DATA_DIR / "district_key_changes_de.csv"
# '01001', '01001 Flensburg, Stadt', '01' (a Land), '031' (a statistical region or Regierungsbezirk)
_DISTRICT_KEY = re.compile(r"^\s*(\d{5}|\d{3}|\d{2})(?:\s+\D.*)?$")
# NUTS 2021 draws the districts as they were before 2021: a reform since (Eisenach joined the Wartburgkreis on
# 1 July 2021; NUTS 2021 still has both, DEG0N and DEG0P) leaves the key of the dissolved district one-to-one with
# its NUTS-3 region and the enlarged district with none.
_NUTS_2021_DISTRICTS_UNTIL = 2020
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
    how: str = "name"  # "name", "code and name", "code behind a prefix" or a Correspondence's `how`
    note: str = ""  # a key known without a one-to-one region: what became of it


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


@lru_cache(maxsize=1)
def district_changes() -> pd.DataFrame:
    """Districts dissolved by a reform since 2007, one row per successor (Destatis' lists of changes)."""
    return pd.read_csv(_DISTRICT_CHANGES_FILE, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _districts() -> pd.DataFrame:
    """Destatis' list of districts: key, name and NUTS-3 code, read once for the keys and the report's names."""
    return pd.read_csv(_DISTRICTS_FILE, sep=";", dtype=str, usecols=["AGS", "name", "NUTS3"])


@lru_cache(maxsize=1)
def district_keys() -> dict[str, str]:
    """German official keys → NUTS 2021 codes: each district (5 digits) its NUTS-3 region, as Destatis lists them;
    a Land (2 digits) or a statistical region / Regierungsbezirk (3 digits) the NUTS-1 or NUTS-2 region holding
    exactly its districts and no other's; '' for a key known without a one-to-one region (`district_change`)."""
    table = _districts()
    districts = dict(zip(table["AGS"], table["NUTS3"], strict=True))
    keys = dict(districts)
    for digits, length in ((2, 3), (3, 4)):
        held: dict[str, set[str]] = {}
        for key, code in districts.items():
            held.setdefault(key[:digits], set()).add(code[:length])
        owners = Counter(code for codes in held.values() for code in codes)
        for prefix, codes in held.items():
            (code, *others) = codes
            if not others and owners[code] == 1:
                keys[prefix] = code
    for change in district_changes().itertuples():
        if int(change.year) > _NUTS_2021_DISTRICTS_UNTIL:
            keys[change.new_key] = ""
        else:
            keys[change.old_key] = ""
    return keys


@lru_cache(maxsize=1)
def _district_places() -> dict[str, str]:
    """Each district key with its name: today's with their NUTS-3 code, dissolved ones as Regionalstatistik names
    them."""
    current = _districts()
    places = {k: f"{k} {n} ({c})" for k, n, c in zip(current["AGS"], current["name"], current["NUTS3"], strict=True)}
    for old, name in zip(district_changes()["old_key"], district_changes()["name"], strict=True):
        places.setdefault(old, f"{old} {name}" if name else old)
    return places


def district_change(key: str) -> str | None:
    """What a district reform made of a key that has no one-to-one NUTS 2021 region, said for the report."""
    if district_keys().get(key) != "":
        return None
    changes, places = district_changes(), _district_places()
    gone = changes[changes["old_key"] == key]
    if len(gone) and int(gone["year"].iat[0]) <= _NUTS_2021_DISTRICTS_UNTIL:
        into = ", ".join(places[k] for k in gone["new_key"])
        verb = "split between" if len(gone) > 1 else "merged into"
        return (
            f"district key {places[key]} was dissolved in {gone['year'].iat[0]}, {verb} {into}: its values are not "
            "recoded (no NUTS 2021 region is that district); leave these rows out or use data by today's districts"
        )
    grown = changes[changes["new_key"] == key]
    taken = ", ".join(places[k] for k in grown["old_key"])
    return (
        f"district key {places[key]} took in {taken} in {grown['year'].iat[0]}: since then it covers more than one "
        "NUTS 2021 region, so its values are not recoded"
    )


@dataclass(frozen=True)
class Correspondence:
    """A shipped table from a national key to NUTS 2021 codes: `shape` finds the key in a cell (group 1), `table`
    maps it ('' for a key known without a one-to-one region), and a column is read only when the table knows every
    key of the column that `vouches` picks (and at least one)."""

    how: str
    shape: re.Pattern[str]
    table: Callable[[], Mapping[str, str]]
    vouches: Callable[[str], bool]
    explain: Callable[[str], str | None] = lambda key: None


POSTCODES = Correspondence("postal code", _POSTCODE, postcodes, lambda key: True)
DISTRICT_KEYS = Correspondence(
    "German district key", _DISTRICT_KEY, district_keys, lambda key: len(key) == 5, district_change
)
CORRESPONDENCES = (POSTCODES, DISTRICT_KEYS)


def by_key(values: list[str], codes: set[str], correspondence: Correspondence) -> dict[str, NameMatch]:
    """Values read through one correspondence, all or none (see `Correspondence`); a known key without a one-to-one
    region gets no code, only its `note`, and a key the table does not know (a municipality's 8 digits) is left."""
    shaped = {v: m.group(1) for v in values if (m := correspondence.shape.match(v))}
    table = correspondence.table()
    vouched = [k for k in shaped.values() if correspondence.vouches(k)]
    if not vouched or not all(k in table and (table[k] == "" or table[k] in codes) for k in vouched):
        return {}
    return {
        v: NameMatch(table[k] or None, how=correspondence.how, note=correspondence.explain(k) or "")
        for v, k in shaped.items()
        if k in table and (table[k] == "" or table[k] in codes)
    }


def old_district(value: str) -> str | None:
    """What became of the German district key in a cell when a reform left it without a one-to-one NUTS 2021
    region; None for any other value."""
    m = _DISTRICT_KEY.match(value)
    return district_change(m.group(1)) if m else None


def match_regions(values: list[str], regions: pd.DataFrame) -> dict[str, NameMatch]:
    """Every distinct text that is not a region code, matched to NUTS 2021 codes (see the module docstring)."""
    codes = set(regions["nuts_id"])
    unknown = [v for v in dict.fromkeys(v.strip() for v in values) if v and v not in codes]
    if not unknown:
        return {}
    levels = dict(zip(regions["nuts_id"], regions["level"], strict=True))
    index = _name_index(tuple(regions["nuts_id"]), tuple(regions["name"]))
    out: dict[str, NameMatch] = {}
    for correspondence in CORRESPONDENCES:
        out.update(by_key([v for v in unknown if v not in out], codes, correspondence))
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
            elif m.note:
                found.add(int(rows[i]), _label(labels, col.name, i), value, "region_name", m.note, "warning")
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
