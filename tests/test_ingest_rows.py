"""Issue 10, items 1 and 3: rows the explorer cannot place are grouped by kind with counts and examples, left out
or recoded only as the analyst chose, never dropped without being counted; missing-value markers are never
errors. The left-out rows are recorded with the version on both backends. Item 6: thousands separators with a
decimal comma, and dates where the table needs a year."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from valuechain import demo, ingest
from valuechain.store import Identity, Store

EDITOR = Identity("analyst", "editor")
HEADER = "region_id,sector,indicator,year,value,unit,source,flag"
ROWS = {
    "SE33": "100",
    "DKZZ": "5",
    "DEZZZ": "5",
    "DE_TOT": "5",
    "EU27_2020": "5",
    "DNK": "5",
    "PL11": "5",
    "LT00": "5",
    "SE99": "5",
    "hello": "5",
    "FI1D": ": c",
    "FI1C": "NA",
    "FI19": ": @C",
    "FI1B": "n/a",
}
EVERY_KIND = frozenset({"extra-regio", "aggregate", "old-nuts", "outside-area", "unknown-region", "unusable", "iso3"})


@pytest.fixture(scope="module")
def context() -> ingest.Context:
    return ingest.Context.from_frames(demo.load_definitions(), "observations")


def upload(choices: ingest.RowChoices, context: ingest.Context, rows: dict[str, str] = ROWS) -> ingest.Checked:
    text = HEADER + "\n" + "".join(f"{r},C16,employment,2021,{v},persons,test,\n" for r, v in rows.items())
    parsed = ingest.read(text.encode(), "regions.csv")
    mapping = ingest.auto_map(parsed, "observations")
    return ingest.check(parsed, "observations", mapping, context, dataset="Test", choices=choices)


def test_unplaceable_rows_are_grouped_by_kind_with_counts_and_examples(context: ingest.Context) -> None:
    checked = upload(ingest.RowChoices(), context)
    groups = {g.kind: g for g in checked.groups}
    assert groups["extra-regio"].rows == 2 and groups["extra-regio"].examples == ("DKZZ", "DEZZZ")
    assert groups["aggregate"].examples == ("DE_TOT", "EU27_2020")
    assert groups["iso3"].recodable == 1 and groups["old-nuts"].recodable == 1  # DNK → DK; PL11 → PL71, not LT00
    assert groups["unknown-region"].examples == ("SE99",) and groups["unusable"].examples == ("hello",)
    assert groups["missing"].rows == 4
    assert not checked.ok, "without a choice the unplaceable rows still block the file"
    lines = checked.report.failures
    assert lines["check"].str.startswith("rows:").sum() == len(checked.groups)
    assert "leave them out, or recode 1 of them" in groups["old-nuts"].message


def test_leave_out_and_recode_count_every_row(context: ingest.Context) -> None:
    choices = ingest.RowChoices(leave_out=EVERY_KIND, recode=frozenset({"iso3", "old-nuts"}))
    checked = upload(choices, context)
    assert checked.ok, checked.report.errors
    assert sorted(checked.rows["region_id"]) == ["DK", "FI19", "FI1B", "FI1C", "FI1D", "PL71", "SE33"]
    assert checked.left_out_counts == {
        "extra-regio": 2,
        "aggregate": 2,
        "old-nuts": 1,  # LT00 was split into LT01/LT02: never recoded
        "unknown-region": 1,
        "unusable": 1,
    }
    assert len(checked.rows) + len(checked.left_out) == len(ROWS), "no row dropped without being counted"
    lt00 = next(g for g in checked.groups if g.kind == "old-nuts")
    assert lt00.recoded == 1 and "1 recoded" in lt00.message and "1 left out" in lt00.message
    missing = checked.rows.set_index("region_id").loc[["FI1D", "FI19", "FI1C", "FI1B"]]
    assert missing["value"].isna().all(), "missing-value markers are stored as missing values"
    assert missing.loc["FI1D", "flag"] == "c" and missing.loc["FI19", "flag"] == "c", "confidential stays confidential"
    assert missing[["flag"]].loc[["FI1C", "FI1B"], "flag"].isna().all()


def test_missing_markers_are_never_errors_and_the_set_is_adjustable(context: ingest.Context) -> None:
    rows = {"SE33": "1", "FI1D": ":", "FI1C": "..", "FI1B": "-", "FI19": "NA", "FI1C ": "n/a"}
    checked = upload(ingest.RowChoices(), context, {k.strip(): v for k, v in rows.items()})
    assert checked.ok and checked.left_out_counts == {}
    (group,) = [g for g in checked.groups if g.kind == "missing"]
    assert group.rows == 4 and dict(group.markers) == {":": 1, "n/a": 1, "-": 1, "NA": 1}, "counted by marker"
    assert checked.rows["value"].isna().sum() == 4
    strict = upload(ingest.RowChoices(missing=(":",)), context, {"SE33": "1", "FI1D": ":", "FI19": "NA"})
    assert strict.left_out_counts == {} and [g.markers for g in strict.groups if g.kind == "missing"] == [((":", 1),)]
    assert (strict.report.errors["value"] == "NA").any(), "NA outside the chosen set is reported, as typed"


def test_left_out_rows_are_recorded_with_the_version_and_downloadable(store: Store, demo_data: dict) -> None:
    data = ("observations", "flows", "actors", "priorities", "projects")
    demo.seed_store(store, demo.load_definitions() | {name: demo_data[name].head(20) for name in data})
    context = ingest.Context.from_store(store, "observations")
    checked = upload(ingest.RowChoices(leave_out=EVERY_KIND, recode=frozenset({"iso3", "old-nuts"})), context)
    own = next(v for v in ingest.commit(store, checked, EDITOR) if v.table == "observations")
    version = store.versions("observations").set_index("version_id").loc[own.version_id]
    assert int(version["left_out"]) == 7 and own.rows == 7
    assert "extra-regio 2" in version["left_out_kinds"] and "missing" not in version["left_out_kinds"]
    back = pd.read_csv(io.StringIO(store.left_out_rows(own.version_id)), dtype=str, keep_default_na=False)
    assert sorted(back["region_id"]) == sorted(checked.left_out["region_id"])
    assert set(back["left_out_as"]) == {"extra-regio", "aggregate", "old-nuts", "unknown-region", "unusable"}
    stored = store.current("observations").set_index("region_id")
    assert pd.isna(stored.loc["FI1D", "value"]) and stored.loc["FI1D", "flag"] == "c", "stored missing, confidential"


def test_thousands_separators_and_dates_reduced_to_the_year(context: ingest.Context) -> None:
    text = (
        "region_id;sector;indicator;year;value;unit;source\n"
        "SE33;C16;employment;24.04.2014;15.414.794;persons;t\n"
        "FI1D;C16;employment;2015-01-01;1 234,5;persons;t\n"
    )
    parsed = ingest.read(text.encode("cp1252"), "destatis.csv")
    checked = ingest.check(parsed, "observations", ingest.auto_map(parsed, "observations"), context, dataset="D")
    assert checked.ok, checked.report.errors
    assert checked.rows[["year", "value"]].values.tolist() == [[2014, 15414794.0], [2015, 1234.5]]
    warning = checked.report.warnings.set_index("check").loc["date_as_year"]
    assert "2 dates reduced to their year (e.g. '24.04.2014' → 2014)" in warning["message"]


def test_a_group_of_national_keys_says_to_map_the_names_column() -> None:
    """GENESIS and other statistical offices' tables put their own region keys (01001, 13) beside the names: when
    that column is mapped as the region, its group says so instead of only 'no region code at all'."""
    from valuechain.ingest.rows import RowGroup

    keys = RowGroup("unusable", "row label 1", 54, ("01", "01001", "13"), 0, False, 0)
    assert "national region keys, not NUTS codes: map the column with the region names instead" in keys.message
    names = RowGroup("unusable", "region", 2, ("Berlin-Mitte", "Atlantis"), 0, False, 0)
    assert "national region keys" not in names.message


def test_rows_failing_their_own_checks_are_one_unusable_group_left_out_only_as_chosen(
    context: ingest.Context,
) -> None:
    """A value that is no number, a negative count and a shifted year block the file as one `unusable` group (rows,
    columns, first failures); left out, the rest is stored and every row is counted. A duplicate key is never
    unusable (which of two rows to drop is the analyst's to say), nor is a region value another group offers."""
    text = (
        HEADER
        + "\n"
        + "".join(
            f"{r},C16,employment,{y},{v},persons,test,\n"
            for r, y, v in (
                ("SE33", "2021", "100"),
                ("SE32", "2021", "12 persons"),  # not a number
                ("SE31", "2021", "-5"),  # employment is nonnegative
                ("FI1C", "425180", "7"),  # an amount where the year goes
                ("DKZZ", "2021", "abc"),  # extra-regio: its own group, not swept into unusable
                ("FI1B", "2021", "9"),
            )
        )
    )
    parsed = ingest.read(text.encode(), "shifted.csv")
    mapping = ingest.auto_map(parsed, "observations")

    def check(*kinds: str) -> ingest.Checked:
        choices = ingest.RowChoices(leave_out=frozenset(kinds))
        return ingest.check(parsed, "observations", mapping, context, dataset="Test", choices=choices)

    offered = check()
    group = next(g for g in offered.groups if g.kind == "unusable")
    assert not offered.ok and group.rows == 3 and not group.left_out
    assert group.column == "value, year"
    assert group.examples[0].startswith("row 3, value: '12 persons' is not a valid number")
    assert group.message.endswith(": leave them out")
    chosen = check("unusable")
    assert not chosen.ok, "the extra-regio row still waits for its own choice"
    assert chosen.left_out_counts == {"unusable": 3}
    both = check("unusable", "extra-regio")
    assert both.ok, both.report.errors
    assert sorted(both.rows["region_id"]) == ["FI1B", "SE33"]
    assert both.left_out_counts == {"extra-regio": 1, "unusable": 3}
    assert sorted(both.left_out["file_row"].astype(int)) == [3, 4, 5, 6]
    assert len(both.rows) + len(both.left_out) == 6, "no row dropped without being counted"

    twice = text + "SE33,C16,employment,2021,101,persons,test,\n"
    dup = ingest.check(
        ingest.read(twice.encode(), "twice.csv"), "observations", mapping, context, dataset="Test",
        choices=ingest.RowChoices(leave_out=frozenset({"unusable", "extra-regio"})),
    )  # fmt: skip
    assert not dup.ok and (dup.report.errors["check"] == "unique_key").any()
    assert dup.left_out_counts == {"extra-regio": 1, "unusable": 3}
