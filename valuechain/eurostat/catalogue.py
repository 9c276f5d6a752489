"""The curated catalogue of Eurostat datasets that speak to value chains (data/eurostat_catalogue.csv).

Each entry is a recipe in the sense of valuechain.recipe: which dataset, which codes of its dimensions, which
indicator of the explorer the values become, at which NUTS levels and from which year. `to_recipe` writes an entry
as an upload recipe (with its `eurostat` part), `from_recipe` reads one back: `--recipe PATH` on the command line
takes the same JSON files as `python -m valuechain import --recipe`, for datasets the catalogue does not hold.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from valuechain import ingest, schema
from valuechain.recipe import Recipe

CATALOGUE = Path(__file__).resolve().parent.parent.parent / "data" / "eurostat_catalogue.csv"


@dataclass(frozen=True)
class Entry:
    """One catalogue row: a Eurostat dataset (cut to one indicator) and how the explorer reads it."""

    entry_id: str
    code: str
    title: str
    indicator_id: str
    indicator_name: str
    unit: str
    additive: bool = True
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sector_dim: str = ""  # the NACE dimension whose codes become sectors; empty: every value is sector TOTAL
    sector_codes: Mapping[str, str] = field(default_factory=dict)  # sector code in Eurostat → explorer sector
    leave_out: tuple[str, ...] = ()  # kinds of rows to leave out (ingest.LEAVE_OUT_KINDS)
    recode: tuple[str, ...] = ()  # kinds of codes to recode (ingest.RECODE_KINDS)
    levels: tuple[int, ...] = (2,)
    since: int | None = None
    starter: bool = False
    stages_can: str = ""
    stages_cannot: str = ""
    caveats: str = ""
    verified: str = ""
    keep: Mapping[str, str] = field(default_factory=dict)  # dimension → the one code kept (the dimension picker)

    @property
    def dataset(self) -> str:
        """The explorer's dataset name: one dataset (and so one version series) per catalogue entry."""
        return f"Eurostat {self.code} · {self.indicator_id}"

    def with_choices(
        self,
        *,
        filters: Mapping[str, tuple[str, ...]] | None = None,
        levels: tuple[int, ...] | None = None,
        since: int | None = None,
        leave_out: tuple[str, ...] | None = None,
        recode: tuple[str, ...] | None = None,
    ) -> Entry:
        """The entry with the user's filters (added to or overriding its own), levels and first year."""
        return replace(
            self,
            filters={**self.filters, **(filters or {})},
            levels=levels or self.levels,
            since=since if since is not None else self.since,
            leave_out=self.leave_out if leave_out is None else leave_out,
            recode=self.recode if recode is None else recode,
        )

    @property
    def choices(self) -> ingest.RowChoices:
        return ingest.RowChoices(leave_out=frozenset(self.leave_out), recode=frozenset(self.recode))


def parse_filters(text: str) -> dict[str, tuple[str, ...]]:
    """`unit=MIO_EUR;nace_r2=C10,C16` → {"unit": ("MIO_EUR",), "nace_r2": ("C10", "C16")}."""
    out: dict[str, tuple[str, ...]] = {}
    for part in str(text or "").split(";"):
        dim, sep, codes = part.partition("=")
        if not sep or not dim.strip():
            continue
        values = tuple(c.strip() for c in codes.split(",") if c.strip())
        out[dim.strip()] = tuple(dict.fromkeys(out.get(dim.strip(), ()) + values))
    return out


def _kinds(value: object, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """Row-choice kinds from `a;b` or a list; an unknown kind is an error naming the allowed ones."""
    kinds = tuple(k.strip() for k in (value if isinstance(value, list) else str(value or "").split(";")) if k.strip())
    unknown = [k for k in kinds if k not in allowed]
    if unknown:
        raise ValueError(f"unknown row choice {', '.join(unknown)}: use {', '.join(allowed)}")
    return kinds


def _bool(value: object) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def entry_from(row: Mapping[str, object]) -> Entry:
    """An entry from a catalogue row, or from the fields `from_recipe` gathers (filters, levels and sector codes
    may then be JSON objects and lists)."""

    def text(name: str) -> str:
        value = row.get(name, "")
        return "" if value is None else str(value).strip()

    filters = row.get("filters", "")
    levels = row.get("levels", "2")
    sector_codes = row.get("sector_codes", "")
    code = text("code").lower()
    indicator = text("indicator_id")
    if not code or not indicator:
        raise ValueError("a recipe needs at least `code` (the Eurostat dataset code) and `indicator_id`")
    return Entry(
        entry_id=text("entry_id") or f"{code}-{indicator}",
        code=code,
        title=text("title") or code,
        indicator_id=indicator,
        indicator_name=text("indicator_name") or indicator,
        unit=text("unit"),
        additive=_bool(row.get("additive", "true")),
        filters={k: tuple(parse_filters(f"{k}={v}")[k]) if isinstance(v, str) else tuple(v) for k, v in filters.items()}
        if isinstance(filters, dict)
        else parse_filters(str(filters or "")),
        sector_dim=text("sector_dim"),
        sector_codes=dict(sector_codes)
        if isinstance(sector_codes, dict)
        else {k: v[0] for k, v in parse_filters(str(sector_codes or "")).items() if v},
        leave_out=_kinds(row.get("leave_out", ""), ingest.LEAVE_OUT_KINDS),
        recode=_kinds(row.get("recode", ""), ingest.RECODE_KINDS),
        levels=tuple(int(x) for x in (levels if isinstance(levels, list) else str(levels).split(";")) if str(x)),
        since=int(str(row["since"])) if str(row.get("since") or "").strip() else None,
        starter=_bool(row.get("starter", "false")),
        stages_can=text("stages_can"),
        stages_cannot=text("stages_cannot"),
        caveats=text("caveats"),
        verified=text("verified"),
    )


def catalogue_path() -> Path:
    """`VALUECHAIN_EUROSTAT_CATALOGUE` replaces the shipped catalogue (an organisation's own list, tests)."""
    own = os.environ.get("VALUECHAIN_EUROSTAT_CATALOGUE", "").strip()
    return Path(own) if own else CATALOGUE


def load(path: Path | None = None) -> list[Entry]:
    frame = pd.read_csv(path or catalogue_path(), dtype=str, keep_default_na=False)
    return [entry_from(r) for r in frame.to_dict("records")]


# --- entries as recipes (valuechain.recipe) -----------------------------------------------------------------

_OBSERVATION_COLUMNS = {"region_id": "geo", "year": "TIME_PERIOD", "value": "OBS_VALUE", "flag": "OBS_FLAG"}
_SOURCE_FIELDS = ("title", "stages_can", "stages_cannot", "caveats", "verified")


def definition(entry: Entry) -> dict[str, object]:
    """The explorer indicator the entry's values become, as the indicators table (and a recipe) holds it."""
    description = f"{entry.title}. Source: Eurostat ({entry.code})." + (f" {entry.caveats}" if entry.caveats else "")
    return {
        "indicator_id": entry.indicator_id,
        "name": entry.indicator_name,
        "unit": entry.unit,
        "additive": entry.additive,
        "nonnegative": True,
        "description": description,
    }


def to_recipe(entry: Entry) -> Recipe:
    """The entry as an upload recipe: the SDMX-CSV columns mapped to observations, the indicator defined, the row
    choices, and in `eurostat` where to fetch it. The same file loads a hand-downloaded SDMX-CSV on the Upload tab."""
    columns = dict(_OBSERVATION_COLUMNS)
    constants = {"indicator": entry.indicator_id, "unit": entry.unit}
    if entry.sector_dim:
        columns["sector"] = entry.sector_dim
    else:
        constants["sector"] = schema.TOTAL_SECTOR
    source: dict[str, object] = {
        "code": entry.code,
        "filters": {dim: list(codes) for dim, codes in entry.filters.items()},
        "levels": list(entry.levels),
        "since": entry.since,
        "sector_codes": dict(entry.sector_codes),
    }
    source |= {name: getattr(entry, name) for name in _SOURCE_FIELDS if getattr(entry, name)}
    return Recipe(
        table="observations",
        columns=columns,
        constants=constants,
        keep=dict(entry.keep),
        choices=entry.choices,
        dataset=entry.dataset,
        mode="replace",
        new_indicators=[definition(entry)],
        eurostat=source,
    )


def from_recipe(recipe: Recipe, where: str = "recipe") -> Entry:
    """The entry a recipe describes; a recipe without its `eurostat` part (where to fetch) is a ValueError."""
    source = recipe.eurostat
    if not source or recipe.table != "observations":
        raise ValueError(
            f'{where} says nothing about Eurostat: a Eurostat recipe loads observations and has an "eurostat" part '
            'with the dataset "code" (write one with `python -m valuechain eurostat gdp --save-recipe my.json`).'
        )
    indicator = recipe.constants.get("indicator", "")
    defined = next((d for d in recipe.new_indicators if d.get("indicator_id") == indicator), {})
    row = {
        **{k: v for k, v in source.items() if k in ("code", "filters", "levels", "since", "sector_codes")},
        **{name: source.get(name, "") for name in _SOURCE_FIELDS},
        "indicator_id": indicator,
        "indicator_name": defined.get("name") or indicator,
        "unit": recipe.constants.get("unit") or defined.get("unit", ""),
        "additive": defined.get("additive", True),
        "sector_dim": recipe.columns.get("sector", ""),
        "leave_out": sorted(recipe.choices.leave_out),
        "recode": sorted(recipe.choices.recode),
    }
    return replace(entry_from(row), keep=dict(recipe.keep))


def read_recipe(path: Path) -> Entry:
    """A Eurostat recipe file, read by the one recipe loader (valuechain.recipe)."""
    return from_recipe(Recipe.load(path), where=str(path))


def find(entries: list[Entry], text: str) -> list[Entry]:
    """Entries whose id, code, title or indicator contains every word of `text` (case-insensitive)."""
    words = str(text).lower().split()
    return [
        e
        for e in entries
        if all(w in f"{e.entry_id} {e.code} {e.title} {e.indicator_name} {e.indicator_id}".lower() for w in words)
    ]


def table(entries: list[Entry]) -> pd.DataFrame:
    """The catalogue as shown on screen: what each entry gives, and which stages it can and cannot speak for."""
    return pd.DataFrame(
        [
            {
                "entry": e.entry_id,
                "code": e.code,
                "title": e.title,
                "indicator": e.indicator_name,
                "unit": e.unit,
                "can be summed": e.additive,
                "NUTS levels": ", ".join(map(str, e.levels)),
                "from": e.since,
                "sectors": f"NACE from {e.sector_dim}" if e.sector_dim else "TOTAL (whole economy)",
                "stages it can speak for": e.stages_can,
                "stages it cannot speak for": e.stages_cannot,
                "caveats": e.caveats,
                "left out": ", ".join(e.leave_out),
                "recoded": ", ".join(e.recode),
                "starter set": e.starter,
                "checked against": e.verified,
            }
            for e in entries
        ]
    )
