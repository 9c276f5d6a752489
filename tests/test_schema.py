"""Lazy validation: every failure at once, each naming file, row, column and value."""

from __future__ import annotations

import pandas as pd

from valuechain import schema

KNOWN = {
    "regions.nuts_id": {"SE33", "FI1D"},
    "sectors.nace": {"C16", "TOTAL"},
    "indicators.indicator_id": {"employment"},
    "value_chains.chain_id": {"circular_bioeconomy"},
    "stages.stage_id": {"biomass_supply", "processing"},
}


def row(**overrides: object) -> dict:
    base = {
        "region_id": "SE33",
        "sector": "C16",
        "indicator": "employment",
        "year": "2021",
        "value": "10.5",
        "unit": "persons",
        "source": "test",
        "flag": "",
    }
    return base | overrides


def test_valid_rows_pass_and_are_coerced() -> None:
    report = schema.validate(pd.DataFrame([row(), row(year="2022")]), schema.OBSERVATIONS, file="ok.csv", known=KNOWN)
    assert report.ok, report.failures
    assert report.clean["year"].tolist() == [2021, 2022]
    assert report.clean["value"].tolist() == [10.5, 10.5]
    assert report.clean["flag"].isna().all()


def test_all_failures_reported_at_once_with_file_row_column_value() -> None:
    frame = pd.DataFrame(
        [
            row(),
            row(region_id="SE99", year="20x1"),
            row(value="", year="1850"),
            row(),  # duplicate of the first row
        ]
    )
    report = schema.validate(
        frame,
        schema.OBSERVATIONS,
        file="bad.csv",
        known=KNOWN,
        suggest=lambda ref, v: "did you mean SE33?" if v == "SE99" else None,
    )
    errors = report.errors
    assert not report.ok
    assert list(errors.columns) == schema.ERROR_COLUMNS
    assert set(errors["file"]) == {"bad.csv"}
    found = {(r.row, r.column, r.check) for r in errors.itertuples()}
    assert (3, "region_id", "reference") in found
    assert (3, "year", "dtype") in found
    assert (4, "value", "not_null") not in found, "an empty value is a missing value, not an error"
    assert (4, "year", "min") in found
    assert (5, "region_id+sector+indicator+year", "unique_key") in found
    bad_region = errors[(errors["row"] == 3) & (errors["column"] == "region_id")].iloc[0]
    assert bad_region["value"] == "SE99"
    assert "did you mean SE33?" in bad_region["message"]
    assert "bad.csv" in report.summary() and "row 3" in report.summary()


def test_missing_required_column_is_named() -> None:
    frame = pd.DataFrame([row()]).drop(columns=["value"])
    report = schema.validate(frame, schema.OBSERVATIONS, file="f.csv")
    missing = report.errors[report.errors["check"] == "column_present"]
    assert missing["column"].tolist() == ["value"]
    assert missing["row"].isna().all()


def test_unknown_columns_only_warn() -> None:
    frame = pd.DataFrame([row(comment="hello")])
    report = schema.validate(frame, schema.OBSERVATIONS, known=KNOWN)
    assert report.ok
    assert report.warnings["column"].tolist() == ["comment"]


def test_choices_patterns_lists_and_year_order() -> None:
    projects = pd.DataFrame(
        [
            {
                "project_id": "Bad ID",
                "title": "t",
                "programme": "p",
                "budget_eur": "-5",
                "partner_regions": "SE33;XX1",
                "start_year": "2022",
                "end_year": "2020",
                "source": "s",
            }
        ]
    )
    report = schema.validate(projects, schema.PROJECTS, known=KNOWN)
    checks = {(r.column, r.check) for r in report.errors.itertuples()}
    assert ("project_id", "pattern") in checks
    assert ("budget_eur", "min") in checks
    assert ("partner_regions", "reference") in checks
    assert ("end_year", "year_order") in checks
    assert report.errors[report.errors["check"] == "reference"]["value"].tolist() == ["XX1"]
    flows = pd.DataFrame(
        [
            {
                "chain_id": "circular_bioeconomy",
                "from_region": "SE33",
                "from_stage": "biomass_supply",
                "to_region": "FI1D",
                "to_stage": "processing",
                "year": 2020,
                "kind": "teleport",
                "value": 1,
                "unit": "EUR million",
                "source": "s",
            }
        ]
    )
    flow_report = schema.validate(flows, schema.FLOWS, known=KNOWN)
    assert flow_report.errors["check"].tolist() == ["choices"]


def test_whole_number_columns_reject_fractions_and_booleans_parse() -> None:
    regions = pd.DataFrame(
        [{"nuts_id": "SE33", "name": "Övre Norrland", "country": "SE", "level": "2.5", "bsr": "yes"}]
    )
    report = schema.validate(regions, schema.REGIONS)
    assert report.errors["column"].tolist() == ["level"]
    assert bool(report.clean.at[0, "bsr"]) is True


def test_every_table_has_key_columns_and_examples() -> None:
    for table in schema.TABLES.values():
        assert set(table.key) <= set(table.column_names), table.name
        assert all(c.description for c in table.columns), table.name
    assert set(schema.LOAD_ORDER) == {t.name for t in schema.TABLES.values() if t.versioned}


def test_text_as_categorical_keeps_texts_sorted_and_missing() -> None:
    values = pd.Series(["SE33", "FI1D", None, "SE33", "DE80"], dtype="str")
    codes = schema.as_categorical(values)
    assert codes.cat.categories.tolist() == ["DE80", "FI1D", "SE33"]  # sorting the column sorts its texts
    assert codes.astype(object).where(codes.notna(), None).tolist() == ["SE33", "FI1D", None, "SE33", "DE80"]
    assert schema.as_categorical(pd.Series(["persons"] * 3)).cat.categories.tolist() == ["persons"]
    assert schema.isin(codes, {"SE33", "XX"}).tolist() == [True, False, False, True, False]


def test_coercing_categorical_text_strips_and_merges_categories() -> None:
    raw = schema.as_categorical(pd.Series([" SE33", "SE33", "  ", "FI1D "]))
    clean = schema.coerce(pd.DataFrame({"region_id": raw}), schema.OBSERVATIONS)["region_id"]
    assert clean.cat.categories.tolist() == ["FI1D", "SE33"]
    assert clean.astype(object).where(clean.notna(), None).tolist() == ["SE33", "SE33", None, "FI1D"]


def test_duplicate_keys_from_codes_match_pandas() -> None:
    """Keys built from category codes and year offsets find the same duplicates as DataFrame.duplicated, also
    with missing parts, and when the key space is too large for a table of first positions."""
    frame = pd.DataFrame(
        {
            "region_id": schema.as_categorical(pd.Series(["SE33", "SE33", "FI1D", "SE33", None, None])),
            "year": pd.array([2020, 2020, 2020, 2021, 2020, 2020], dtype="Int64"),
            "value": pd.array([1.0, 1.0, 2.0, 3.0, 4.0, 4.0], dtype="Float64"),
        }
    )
    expected = [False, True, False, False, False, False]  # rows with a missing key part are never duplicates
    assert schema.duplicated_keys(frame, ["region_id", "year"]).tolist() == expected
    assert schema.first_rows(frame, ["region_id", "year"]).tolist() == [0, 2, 3]
    spread = frame.assign(year=pd.array([2020, 2020, 10**9, 2021, 2020, 2020], dtype="Int64"))
    assert schema.duplicated_keys(spread, ["region_id", "year", "value"]).tolist() == expected
    big = pd.DataFrame({"a": range(6), "b": [10**15, 10**15, 1, 2, 3, 4]}).astype("Int64")
    assert schema.duplicated_keys(big, ["a", "b"]).tolist() == [False] * 6
    assert schema.duplicated_keys(pd.concat([big, big.head(1)]), ["a", "b"]).tolist() == [False] * 6 + [True]
