"""Real EU-funds project lists (BSR method step 2; BSR cuts in tests/real_files, provenance in its README) load
through the command line with their recipe in tests/recipes: per file, the rows stored, the rows left out by kind,
and three stored values compared with the raw file, read here with the csv module and without the ingest code."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from tests.test_real_files import run_recipe

HERE = Path(__file__).resolve().parent
FILES = HERE / "real_files"
POSTCODES = HERE.parent / "data" / "postcodes_nuts3_de.csv"


def raw_rows(name: str) -> list[dict[str, str]]:
    """The file's records as text keyed by header: CSV by the csv module; the list of operations workbook by
    openpyxl, keyed by its German header row (the English one below it is skipped)."""
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        rows = list(load_workbook(FILES / name, read_only=True).worksheets[0].iter_rows(values_only=True))
        at = next(i for i, r in enumerate(rows) if r[1] == "Name des Begünstigten")
        header = [str(c) if c is not None else "" for c in rows[at]]
        return [{h: "" if c is None else str(c) for h, c in zip(header, r, strict=True)} for r in rows[at + 2 :]]
    with (FILES / name).open(encoding="utf-8", newline="") as handle:
        head = handle.readline()
        handle.seek(0)
        return list(csv.DictReader(handle, delimiter=";" if head.count(";") > head.count(",") else ","))


def postcode_region(cell: str) -> str:
    """The NUTS-3 code of a '24103 Kiel' cell, from GISCO's correspondence read directly."""
    with POSTCODES.open(encoding="utf-8", newline="") as handle:
        table = {r["CODE"]: r["NUTS3"] for r in csv.DictReader(handle, delimiter=";", quotechar="'")}
    return table[cell.split()[0]]


def number(cell: str) -> float:
    """An amount as the list writes it: '5,819,053' (thousands commas) or '2902833.34'."""
    return float(cell.replace(",", ""))


@dataclass(frozen=True)
class Value:
    """One stored value: the stored row where `key` is `stored_key`, the raw row whose `raw_key` cell starts with
    `raw_start`, and how its `raw_column` cell becomes the expected value."""

    column: str
    key: str
    stored_key: str
    raw_key: str
    raw_start: str
    raw_column: str
    convert: Callable[[str], object]

    def expected(self, rows: list[dict[str, str]]) -> object:
        return self.convert(next(r[self.raw_column] for r in rows if r[self.raw_key].startswith(self.raw_start)))


@dataclass(frozen=True)
class Expected:
    rows: int
    values: tuple[Value, ...]
    left_out: dict[str, int] = field(default_factory=dict)


def dotted(cell: str) -> float:
    """An amount with dots grouping its thousands, as the Danish list writes it: '15.414.794'."""
    return float(cell.replace(".", ""))


DK_REGIONS = {"Bornholm": "DK014", "Nordjylland": "DK05", "Midtjylland": "DK04", "Syddanmark": "DK03"}


def year(cell: str) -> int:
    """The year of '2018-10-31T00:00:00Z', '2015-10-07' or '12/15/2015'."""
    return int(next(part for part in cell.replace("/", "-").replace("T", "-").split("-") if len(part) == 4))


DK_TITLE, DOPG = "Projektitel / Operation name", "Digitaliseret Optimal Path to Growth"
SH_TITLE, LT_CODE, MV_TEXT = "Bezeichnung des Vorhabens", "Kodas", "Zusammenfassung des Vorhabens"
MV_AMOUNT = "Förderfähige Ausgaben des Vorhabens1)\n(in EUR)"
RADIOTHERAPY = (
    "Klinik und Poliklinik für Strahlentherapie\nLinearbeschleuniger zur Evaluation der robotergestützten "
    "Hochpräzisionsstrahlentherapie inklusive Positionierungs- und Planungssystem"
)
GMA = "LPW-E/1.1.1/235 - Nationales Kompetenzzentrum Marine Aquakultur Phase III"
TESA = "LPW-E/1.2.3/286 - Hochleistungsklebebänder für strukturelles Verkleben"
TRIOPTICS = "LPW-E/1.2.3/310 - WaveScan"
DGB = "LPW-E/5.1/170 - Unterstützung bei der Begleitung des OP EFRE Schleswig-Holstein 2014-2020"  # in Hamburg
CASES = {
    "erdf_2014_2020_de_sh_liste_der_vorhaben.csv": Expected(
        rows=8,
        values=(
            Value("partner_regions", "title", GMA, SH_TITLE, GMA, "Postleit-zahl des Vor-habens", postcode_region),
            Value("budget_eur", "title", TESA, SH_TITLE, TESA, "Gesambetrag der förderfähigen Ausgaben des Vorhabens",
                  number),
            Value("end_year", "title", TRIOPTICS, SH_TITLE, TRIOPTICS, "Ende des Vorhabens", year),
        ),
    ),
    "erdf_2014_2020_de_sh_list_of_operations.xlsx": Expected(
        rows=31,
        values=(
            Value("partner_regions", "title", DGB, SH_TITLE, DGB, "Postleit-zahl des Vor-habens", postcode_region),
            Value("budget_eur", "title", GMA, SH_TITLE, GMA, "Gesambetrag der förderfähigen Ausgaben des Vorhabens",
                  number),
            Value("start_year", "title", TESA, SH_TITLE, TESA, "Beginn des Vorhabens", year),
        ),
    ),
    "esif_2014_2020_lt_paraiskos.csv": Expected(
        rows=7,
        values=(
            Value("budget_eur", "project_id", "03-2-1-lvpa-k-801-01-0009", LT_CODE, "03.2.1-LVPA-K-801-01-0009",
                  "Projekto vertė paraiškoje", number),
            Value("public_funding_eur", "project_id", "03-3-1-lvpa-k-803-01-0003", LT_CODE,
                  "03.3.1-LVPA-K-803-01-0003", "Finansavimas", number),
            Value("start_year", "project_id", "03-2-1-lvpa-k-802-01-0048", LT_CODE, "03.2.1-LVPA-K-802-01-0048",
                  "Sutarties pasirašymo data", year),
        ),
        left_out={"missing": 3},  # applications without a signed contract: no start date, a missing value
    ),
    "erdf_2014_2020_dk_operations.csv": Expected(
        rows=5,
        values=(
            Value("budget_eur", "title", DOPG, DK_TITLE, DOPG, "Budget / Budget", dotted),
            Value("public_funding_eur", "title", DOPG, DK_TITLE, DOPG, "EU-medfinansiering / Union co-financing",
                  dotted),
            Value("partner_regions", "title", DOPG, DK_TITLE, DOPG, "Region / Region", DK_REGIONS.__getitem__),
        ),
    ),
    "erdf_2014_2020_de_mv_liste_der_vorhaben.csv": Expected(
        rows=7,
        values=(
            Value("budget_eur", "title", "EMV-Testsoftware", MV_TEXT, "EMV-Testsoftware", MV_AMOUNT, number),
            Value("budget_eur", "title", RADIOTHERAPY, MV_TEXT, RADIOTHERAPY, MV_AMOUNT, number),
            Value("start_year", "title", "smooth & soft - neue Roggenprodukte mit neuen Eigenschaften", MV_TEXT,
                  "smooth & soft", "Bewilligungs-datum", year),
        ),
        left_out={"unusable": 2},  # '158,87' and '98,05': amounts whose thousands group lost a digit, as published
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_project_list_loads_through_the_command_line_with_its_recipe(
    name: str, cli_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = CASES[name]
    recipe, report, projects, version = run_recipe(name, "projects", cli_store, capsys)
    assert report["rows"] == expected.rows
    assert report["left_out"] == expected.left_out
    assert int(version["left_out"] if pd.notna(version["left_out"]) else 0) == sum(expected.left_out.values())
    mine = projects[projects["programme"] == recipe["constants"]["programme"]]
    assert len(mine) == expected.rows
    raw = raw_rows(name)
    for value in expected.values:
        row = mine[mine[value.key] == value.stored_key]
        assert len(row) == 1, value
        assert row[value.column].iat[0] == value.expected(raw), value


def test_postal_codes_are_read_only_when_every_one_is_in_the_correspondence() -> None:
    """A five-digit code outside the shipped correspondence (here Finnish 00100, Helsinki) keeps the whole column
    from being read by postal code: another country's codes are never taken as German."""
    from valuechain import demo
    from valuechain.ingest.regions import POSTCODES, by_key

    codes = set(demo.load_definitions()["regions"]["nuts_id"])
    assert by_key(["24103 Kiel", "25761 Büsum"], codes, POSTCODES) == {
        "24103 Kiel": by_key(["24103 Kiel"], codes, POSTCODES)["24103 Kiel"],
        "25761 Büsum": by_key(["25761"], codes, POSTCODES)["25761"],
    }
    assert by_key(["24103 Kiel"], codes, POSTCODES)["24103 Kiel"].code == "DEF02"
    assert by_key(["24103 Kiel", "00100 Helsinki"], codes, POSTCODES) == {}
