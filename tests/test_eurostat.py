"""Eurostat straight into the explorer, against a loopback server serving real recorded API answers:
the catalogue, the client (split requests, cache, 429, asynchronous answers, offline), fetch → check →
commit on both backends, the starter set (failure midway, rerun), updates, the command line."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from valuechain import demo, ingest
from valuechain.eurostat import catalogue, cli, client
from valuechain.eurostat import load as eload
from valuechain.recipe import Recipe
from valuechain.store import Identity, Store, open_store

from .eurostat_server import ASYNC_KEY, FIXTURES, RECORDED_UPDATE, Behaviour, recorded_update

WHO = Identity("analyst", "editor")
NAMED = {  # the datasets the issue names, by Eurostat code
    "sbs_r_nuts2021",
    "nama_10r_3empers",
    "nama_10r_3gva",
    "lfst_r_lfe2en2",
    "rd_e_gerdreg",
    "htec_emp_reg2",
    "demo_r_d2jan",
    "pat_ep_rtot",
}


def recorded(code: str, **codes: tuple[str, ...]) -> dict[tuple[str, int], float]:
    """(region, year) → OBS_VALUE straight from the recorded answer, read with the csv module only; `codes` keeps
    the rows with these codes of a dimension (e.g. unit=("NR",))."""
    with open(FIXTURES / f"{code}.csv", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if all(r[dim] in kept for dim, kept in codes.items())]
    return {(r["geo"], int(r["TIME_PERIOD"])): float(r["OBS_VALUE"]) for r in rows if r["OBS_VALUE"].strip()}


VERIFIED = {"gdp": "NAMA_10R_2GDP", "gerd_pc_gdp": "TGS00042", "patents": "PAT_EP_RTOT"}  # entry → recorded answer
REAL_FILES = Path(__file__).resolve().parent / "real_files"


def entry(entry_id: str) -> catalogue.Entry:
    return next(e for e in catalogue.load(catalogue.CATALOGUE) if e.entry_id == entry_id)


@pytest.fixture
def seeded(store: Store) -> Store:
    demo.seed_store(store)
    return store


# --- catalogue -----------------------------------------------------------------------------------------------


def test_catalogue_holds_the_named_datasets_with_mapping_and_stage_limits() -> None:
    entries = catalogue.load(catalogue.CATALOGUE)
    assert {e.code for e in entries} >= NAMED
    assert len({e.entry_id for e in entries}) == len(entries) and len({e.dataset for e in entries}) == len(entries)
    for e in entries:
        assert e.indicator_id and e.unit and e.levels and e.since and e.stages_cannot and e.verified, e.entry_id
        assert set(e.levels) <= {0, 1, 2, 3}
    sbs = [e for e in entries if e.code == "sbs_r_nuts2021"]
    assert {e.indicator_id for e in sbs} == {"local_units", "employment", "wages"}
    assert all(e.sector_dim == "nace_r2" and e.sector_codes == {"B-S_X_O_S94": "TOTAL"} for e in sbs)
    section_level = entry("employment_ra")
    assert section_level.sector_dim == "" and "C is not 'bio-based products'" in section_level.stages_cannot
    table = catalogue.table(entries)
    assert {"stages it can speak for", "stages it cannot speak for", "caveats"} <= set(table.columns)
    assert [e.entry_id for e in catalogue.find(entries, "gerd")] == ["gerd_pc_gdp", "gerd_bes"]


def test_recipe_and_filters() -> None:
    assert catalogue.parse_filters("unit=MIO_EUR;nace_r2=C10,C16") == {"unit": ("MIO_EUR",), "nace_r2": ("C10", "C16")}
    chosen = entry("gdp").with_choices(filters={"unit": ("PPS_EU27_2020",)}, levels=(2, 3), since=2020)
    assert chosen.filters == {"unit": ("PPS_EU27_2020",)} and chosen.levels == (2, 3) and chosen.since == 2020
    definitions = demo.load_definitions()
    sbs = eload.query_for(entry("sbs_local_units"), definitions["regions"], definitions["sectors"])
    assert sbs.filters["indic_sbs"] == ("LOC_NR",) and len(sbs.filters["nace_r2"]) == 89  # divisions and the total
    assert {"C16", "B-S_X_O_S94"} <= set(sbs.filters["nace_r2"]) and "TOTAL" not in sbs.filters["nace_r2"]
    with pytest.raises(ValueError, match="code"):
        catalogue.entry_from({"indicator_id": "x"})
    assert entry("gdp").choices == ingest.RowChoices(
        leave_out=frozenset({"extra-regio", "aggregate"}), recode=frozenset({"old-nuts"})
    )
    with pytest.raises(ValueError, match="unknown row choice regions: use extra-regio"):
        catalogue.entry_from({"code": "x", "indicator_id": "y", "leave_out": "regions"})


def test_every_entry_says_what_it_was_checked_against_and_the_served_ones_have_their_recording() -> None:
    entries = catalogue.load(catalogue.CATALOGUE)
    served = {e.entry_id for e in entries if e.verified.startswith("verified against a real answer")}
    assert served == set(VERIFIED)
    for entry_id, code in VERIFIED.items():
        assert f"tests/fixtures/eurostat/{code}.csv" in entry(entry_id).verified and (FIXTURES / f"{code}.csv").exists()
    for e in entries:
        if e.entry_id not in served:
            assert e.verified.startswith(("not checked against a real answer", "codes checked against real data"))


def test_regional_accounts_employment_codes_are_those_of_the_real_bulk_file() -> None:
    """nama_10r_3empers: no API answer was found, but a real bulk TSV sample holds the entry's codes."""
    real = REAL_FILES / "eurostat_tsv2023_nama_10r_3empers_bsr.tsv"
    parsed = ingest.read(real.read_bytes(), real.name)
    e = entry("employment_ra")
    for dim, codes in e.filters.items():
        assert set(codes) <= set(parsed.frame[dim]), dim
    levels = {len(code) - 2 for code in parsed.frame["geo"]}
    assert set(e.levels) <= levels  # NUTS 2 and 3 rows exist (e.g. LV0 is NUTS 1, DK014 NUTS 3)


# --- client ------------------------------------------------------------------------------------------------------


def test_fetch_splits_the_programme_area_reports_progress_and_caches(api: Behaviour) -> None:
    regions = demo.load_definitions()["regions"]
    query = eload.query_for(entry("gerd_pc_gdp"), regions)
    assert len(query.geo) == 56
    seen: list[tuple[int, int, str]] = []
    fetched = client.fetch(query, progress=lambda *a: seen.append(a))
    data_requests = [r for r in api.requests if r.startswith("/sdmx/3.0/")]
    assert len(data_requests) == 2 and "c[geo]=DE30,DE40" in data_requests[0]
    assert [s[:2] for s in seen] == [(0, 2), (1, 2), (2, 2)]
    lines = fetched.text.decode().splitlines()
    assert lines[0].startswith("STRUCTURE,STRUCTURE_ID") and sum(ln.startswith("STRUCTURE,") for ln in lines) == 1
    assert {ln.split(",")[9] for ln in lines[1:]} <= set(query.geo)
    again = client.fetch(query)
    assert again.from_cache and again.text == fetched.text and len(api.requests) == 2


def test_rate_limit_and_asynchronous_answers_are_retried(api: Behaviour) -> None:
    api.rate_limit, api.asynchronous = 2, 1
    query = client.Query("TGS00042", {"unit": ("PC_GDP",)}, ("SE33", "FI1D"), 2020)
    fetched = client.fetch(query, sleep=lambda s: None)
    assert any(r.endswith(ASYNC_KEY) for r in api.requests)
    assert {ln.split(",")[9] for ln in fetched.text.decode().splitlines()[1:]} == {"SE33", "FI1D"}
    api.rate_limit = client.MAX_RETRIES + 1
    with pytest.raises(client.EurostatError, match=r"slow down .* run the same load again"):
        client.fetch(query, refresh=True, sleep=lambda s: None)


def test_asynchronous_answer_that_never_gets_ready_says_what_to_do(api: Behaviour) -> None:
    api.asynchronous = 99
    with pytest.raises(client.EurostatError, match=r"still preparing .* narrow the request"):
        client.fetch(client.Query("TGS00042", geo=("SE33",)), sleep=lambda s: None)


def test_offline_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALUECHAIN_EUROSTAT_URL", "http://127.0.0.1:9")
    with pytest.raises(client.EurostatOffline) as info:
        client.fetch(client.Query("tgs00042", geo=("SE33",)))
    message = str(info.value)
    assert "cannot be reached at http://127.0.0.1:9" in message
    assert "Check the internet connection" in message and "Upload tab" in message


def test_unknown_dataset_and_last_update(api: Behaviour) -> None:
    with pytest.raises(client.EurostatError, match="does not know this dataset"):
        client.fetch(client.Query("nosuchset", geo=("SE33",)))
    assert client.last_update("tgs00042") == RECORDED_UPDATE
    xml = (FIXTURES / "dataflow_GOV_10Q_GGNFA.xml").read_bytes()
    assert client.parse_last_update(xml) == "2023-01-23T11:00:00+0100"
    assert client.dataflow_title(xml) == "Quarterly non-financial accounts for general government"


# --- fetch → check → commit (both backends) ----------------------------------------------------------------------


def test_a_regional_dataset_loads_end_to_end_with_its_provenance(api: Behaviour, seeded: Store) -> None:
    prepared = eload.prepare(seeded, entry("gerd_pc_gdp"))
    assert prepared.checked.ok, prepared.checked.report.failures
    assert set(prepared.dimensions) >= {"freq", "sectperf", "unit", "geo"}
    assert ("SE33", "Övre Norrland") in prepared.dimensions["geo"]
    assert any(n.endswith("without a value stored as missing values, flags kept") for n in prepared.left_out)
    version = eload.commit(seeded, prepared, WHO)
    current = seeded.current("observations")
    mine = current[current["indicator"] == "gerd_pc_gdp"].set_index(["region_id", "year"])
    expected = recorded("TGS00042")
    assert len(mine) == version.rows and len(mine.dropna(subset=["value"])) == len(expected)
    for key in (("SE33", 2021), ("FI1D", 2019), ("DK01", 2015)):
        assert mine.at[key, "value"] == pytest.approx(expected[key])
    assert set(mine["sector"]) == {"TOTAL"} and set(mine["unit"]) == {"% of GDP"}
    assert set(mine["source"]) == {"Eurostat tgs00042, last update 2023-01-23"}
    assert mine.at[("DK01", 2019), "flag"] == "p"  # provisional, as recorded
    row = eload.loaded(seeded).iloc[0]
    assert row["dataset"] == "Eurostat tgs00042 · gerd_pc_gdp" and row["source_code"] == "tgs00042"
    assert row["source_updated"] == RECORDED_UPDATE and "/ESTAT/TGS00042/1.0/" in row["source_url"]
    assert pd.notna(row["fetched_at"])
    indicator = seeded.current("indicators").set_index("indicator_id").loc["gerd_pc_gdp"]
    assert not indicator["additive"] and "Source: Eurostat (tgs00042)" in indicator["description"]


@pytest.mark.parametrize("entry_id", sorted(VERIFIED))
def test_each_verified_entry_loads_end_to_end_through_the_loopback_api(
    entry_id: str, api: Behaviour, seeded: Store
) -> None:
    e, code = entry(entry_id), VERIFIED[entry_id]
    prepared = eload.prepare(seeded, e)
    assert prepared.checked.ok, prepared.checked.report.failures
    assert prepared.updated == recorded_update(code)
    eload.commit(seeded, prepared, WHO)
    regions = seeded.current("regions")
    inside = set(regions.loc[regions["bsr"].astype(bool) & regions["level"].isin(e.levels), "nuts_id"])
    expected = {k: v for k, v in recorded(code, **e.filters).items() if k[0] in inside and k[1] >= (e.since or 0)}
    obs = seeded.current("observations")
    stored = obs[(obs["indicator"] == e.indicator_id) & obs["source"].str.startswith(f"Eurostat {e.code}")]
    stored = stored.set_index(["region_id", "year"])
    assert len(stored.dropna(subset=["value"])) == len(expected) > 0  # and rows without a value: missing values
    for key, value in expected.items():
        assert stored.at[key, "value"] == pytest.approx(value), key
    assert set(stored["unit"]) == {e.unit} and set(stored["sector"]) == {"TOTAL"}


def test_patent_recording_spot_checks(api: Behaviour, seeded: Store) -> None:
    """The recorded SDMX-CSV 1.0 answer (no labels): codes stand for their own labels, the answer's own last update."""
    prepared = eload.prepare(seeded, entry("patents"))
    assert prepared.dimensions["unit"] == [("NR", "NR")] and ("DK041", "DK041") in prepared.dimensions["geo"]
    eload.commit(seeded, prepared, WHO)
    obs = seeded.current("observations")
    pat = obs[(obs["indicator"] == "patents") & (obs["sector"] == "TOTAL")].set_index(["region_id", "year"])
    assert pat.at[("DK03", 2010), "value"] == pytest.approx(206.96)
    assert pat.at[("DK041", 2012), "value"] == pytest.approx(129.72) and pat.at[("DK041", 2012), "flag"] == "p"
    assert pat.at[("DK022", 2000), "value"] == pytest.approx(41.23)
    assert pat.at[("DK03", 2010), "source"] == "Eurostat pat_ep_rtot, last update 2016-04-29"


# --- stage scores from NACE-division data ----------------------------------------------------------------------

SBS_REGIONS = ("DK01", "EE00", "FI1D", "SE33")
SBS_DIVISIONS = ("C10", "C16", "C17", "C20", "C22", "F41", "G46", "E38", "D35", "N77")  # N77: in no stage
SBS_TOTAL = "B-S_X_O_S94"
SBS_HEADER = (
    "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,freq,Time frequency,indic_sbs,Economic indicator,nace_r2,NACE Rev. 2,"
    "geo,Geopolitical entity (reporting),TIME_PERIOD,Time,OBS_VALUE,Observation value,OBS_FLAG,Observation status,"
    "CONF_STATUS,Confidentiality status"
)


def constructed_sbs_answer(year: int = 2022) -> tuple[bytes, pd.DataFrame]:
    """A MADE-UP answer of sbs_r_nuts2021 in the format Eurostat uses (SDMX-CSV 2.0 with labels): no real answer of a
    NACE-division dataset was found in public repositories (tests/fixtures/eurostat/README.md). Persons employed in
    local units = 100 × ((region number + 2) × (division number + 3) + 40 × ((5 × region + 3 × division) mod 4)),
    so regions differ in structure; the business-economy total is 60 000 × (region number + 2); one confidential
    cell (C20 in EE00: no value, CONF_STATUS C), as Eurostat leaves such cells empty."""
    rows = []
    for r, region in enumerate(SBS_REGIONS):
        for d, nace in enumerate((*SBS_DIVISIONS, SBS_TOTAL)):
            value = 100 * ((r + 2) * (d + 3) + 40 * ((5 * r + 3 * d) % 4)) if nace != SBS_TOTAL else 60000 * (r + 2)
            secret = (region, nace) == ("EE00", "C20")
            rows.append({"geo": region, "nace_r2": nace, "value": None if secret else float(value)})
    frame = pd.DataFrame(rows)
    lines = [SBS_HEADER] + [
        "dataflow,ESTAT:SBS_R_NUTS2021(1.0),Local units by NUTS 2 region and NACE Rev. 2 activity,A,Annual,"
        f"EMP_LOC_NR,Persons employed in local units - number,{r.nace_r2},{r.nace_r2},{r.geo},{r.geo},{year},,"
        + ("" if pd.isna(r.value) else f"{r.value:g}")
        + (",,,,C,Confidential" if pd.isna(r.value) else ",,,,,")
        for r in frame.itertuples()
    ]
    return ("\n".join(lines) + "\n").encode(), frame


def sbs_loaded(api: Behaviour, store: Store) -> tuple[pd.DataFrame, int]:
    """The demo switched off, then persons employed by division loaded from Eurostat (constructed answer)."""
    answer, frame = constructed_sbs_answer()
    api.constructed["SBS_R_NUTS2021"] = answer
    eload.switch_off_demo(store, WHO)
    (outcome,) = eload.load_set(store, [entry("sbs_employment").with_choices(since=2021)], WHO)
    assert outcome.status == "loaded", outcome.message
    return frame, 2022


def test_stage_scores_come_from_eurostat_division_data(api: Behaviour, seeded: Store) -> None:
    """SBS by NACE division feeds the stage path of profile and matchmaking: employment per stage (the sum of its
    divisions), location quotients against the business-economy total, specialisation."""
    from valuechain import matching
    from valuechain.query import Data, Selection

    frame, year = sbs_loaded(api, seeded)
    data = Data.load(seeded)
    bench = matching.benchmark(data, Selection(chain_id="circular_bioeconomy", year=year, level=2), "employment")
    stages = data.stage_sectors("circular_bioeconomy").set_index("nace")["stage_id"]
    known = frame[frame["nace_r2"].isin(stages.index)].assign(stage=lambda f: f["nace_r2"].map(stages))
    expected = known.pivot_table(index="geo", columns="stage", values="value", aggfunc="sum")
    totals = frame[frame["nace_r2"] == SBS_TOTAL].set_index("geo")["value"]
    for region, stage in (("SE33", "processing"), ("EE00", "processing"), ("FI1D", "end_of_life")):
        assert bench.stage_values.at[region, stage] == pytest.approx(expected.at[region, stage])
        share = expected.at[region, stage] / totals[region]
        reference = expected[stage].sum() / totals.sum()
        assert bench.stage_lq.at[region, stage] == pytest.approx(share / reference)
    # C20 is confidential in EE00: the stage is missing there (C22 alone would look like the whole stage), and
    # the confidential cell is kept as a missing observation, not dropped
    assert pd.isna(bench.stage_values.at["EE00", "bio_products"])
    assert pd.isna(bench.stage_lq.at["EE00", "bio_products"])
    assert bench.missing[year].at["EE00", "C20"]
    assert bench.stage_values["biomass_supply"].isna().all()  # SBS has no section A: no figure, not zero
    assert bench.totals.dropna().to_dict() == pytest.approx(totals.to_dict())
    assert bench.source == "Eurostat sbs_r_nuts2021, last update 2023-01-23"
    profile = matching.stage_profile(bench, "SE33", year)
    assert profile.set_index("stage_id").at["processing", "lq"] == pytest.approx(
        bench.stage_lq.at["SE33", "processing"]
    )


def test_starter_set_failure_midway_keeps_what_was_loaded_and_a_rerun_completes(api: Behaviour, seeded: Store) -> None:
    entries = [e for e in catalogue.load() if e.starter]
    assert [e.code for e in entries] == ["tgs00042", "nama_10r_2gdp"]
    api.fail["NAMA_10R_2GDP"] = 500
    steps: list[tuple[int, int, str]] = []
    first = eload.load_set(seeded, entries, WHO, progress=lambda *a: steps.append(a))
    assert [o.status for o in first] == ["loaded", "failed"] and "HTTP 500" in first[1].message
    assert [s[0] for s in steps] == [0, 1, 2]
    gerd_version = first[0].version_id
    del api.fail["NAMA_10R_2GDP"]
    second = eload.load_set(seeded, entries, WHO)
    assert [o.status for o in second] == ["already loaded", "loaded"]
    loaded = eload.loaded(seeded).set_index("source_code")
    assert loaded.at["tgs00042", "version_id"] == gerd_version
    gdp = seeded.current("observations").query("indicator == 'gdp'").set_index(["region_id", "year"])
    expected = recorded("NAMA_10R_2GDP")
    assert len(gdp) == len({k for k in expected if len(k[0]) == 4})  # NUTS-2 only, as the entry asks
    assert gdp.at[("PL91", 2020), "value"] == pytest.approx(expected[("PL91", 2020)])
    assert "Demo data (synthetic)" in set(seeded.datasets_on_screen()["dataset"])  # the demo stays, on its own


def test_newer_release_is_seen_and_refreshed_as_a_new_version(api: Behaviour, seeded: Store) -> None:
    gerd = entry("gerd_pc_gdp")
    eload.load_set(seeded, [gerd], WHO)
    assert not eload.updates(seeded)["newer"].any()
    api.updated["TGS00042"] = "2026-02-10T11:00:00+0100"
    table = eload.updates(seeded)
    assert table["newer"].tolist() == [True] and table["eurostat_updated"].iat[0] == "2026-02-10T11:00:00+0100"
    (outcome,) = eload.load_set(seeded, eload.entries_for(table["dataset"], [gerd]), WHO, refresh=True)
    assert outcome.status == "loaded"
    assert eload.loaded(seeded)["source_updated"].tolist() == ["2026-02-10T11:00:00+0100"]
    assert not eload.updates(seeded)["newer"].any()


def test_demo_data_can_be_switched_off_and_back(api: Behaviour, seeded: Store) -> None:
    assert eload.demo_shown(seeded)
    eload.switch_off_demo(seeded, WHO)
    assert not eload.demo_shown(seeded) and seeded.current("observations").empty
    assert not seeded.current("regions").empty  # the definitions stay
    demo_versions = seeded.versions("observations").query("origin == 'demo' and status == 'superseded'")
    seeded.set_current(int(demo_versions["version_id"].iat[0]), who=WHO)
    assert not seeded.current("observations").empty


# --- command line ---------------------------------------------------------------------------------------------


def test_cli_loads_a_dataset_and_dry_run_stores_nothing(
    api: Behaviour, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(tmp_path / "cli.duckdb"))
    assert cli.main(["tgs00042", "--level", "2", "--since", "2019", "--dry-run", "--json"]) == 0
    (dry,) = json.loads(capsys.readouterr().out)
    assert dry["ok"] and dry["last_update"] == RECORDED_UPDATE and "c[TIME_PERIOD]=ge:2019" in dry["url"]
    store = open_store(path=tmp_path / "cli.duckdb")
    assert eload.loaded(store).empty
    store.close()
    assert cli.main(["gerd_pc_gdp", "--since", "2019", "--filter", "sectperf=TOTAL", "--json"]) == 0
    (done,) = json.loads(capsys.readouterr().out)
    assert done["status"] == "loaded" and done["rows"] == dry["rows"]
    store = open_store(path=tmp_path / "cli.duckdb")
    obs = store.current("observations").query("indicator == 'gerd_pc_gdp'").set_index(["region_id", "year"])
    assert obs.index.get_level_values("year").min() == 2019
    assert obs.at[("SE33", 2021), "value"] == pytest.approx(recorded("TGS00042")[("SE33", 2021)])
    store.close()


def test_cli_explains_unknown_datasets_and_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(tmp_path / "cli.duckdb"))
    assert cli.main(["nosuchset"]) == 2
    assert "not in the catalogue" in capsys.readouterr().err
    monkeypatch.setenv("VALUECHAIN_EUROSTAT_URL", "http://127.0.0.1:9")
    assert cli.main(["gerd_pc_gdp"]) == 1
    out = capsys.readouterr().out
    assert "failed" in out and "cannot be reached" in out


# --- recipes: one format with the upload ----------------------------------------------------------------------


def test_every_catalogue_entry_is_an_upload_recipe_and_reads_back() -> None:
    for e in catalogue.load(catalogue.CATALOGUE):
        written = catalogue.to_recipe(e)
        again = Recipe.from_json(written.to_json())
        assert again.to_dict() == written.to_dict()
        back = catalogue.from_recipe(again)
        assert back.choices == e.choices, e.entry_id  # row choices are sets: their order is not kept
        same = replace(back, entry_id=e.entry_id, starter=e.starter, leave_out=e.leave_out, recode=e.recode)
        assert same == e, e.entry_id
        assert again.columns["region_id"] == "geo" and again.new_indicators[0]["indicator_id"] == e.indicator_id
    kept = replace(entry("gdp"), keep={"unit": "MIO_EUR"})
    assert catalogue.from_recipe(catalogue.to_recipe(kept)).keep == {"unit": "MIO_EUR"}  # the picker's choices


def test_cli_recipe_is_the_upload_recipe_both_ways(
    api: Behaviour, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`eurostat --save-recipe` writes a recipe; `eurostat --recipe` fetches with it; `import --recipe` loads the
    hand-downloaded SDMX-CSV (here the recorded answer) with the very same file."""
    from valuechain import cli_import

    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(tmp_path / "cli.duckdb"))
    path = tmp_path / "gerd.json"
    assert cli.main(["gerd_pc_gdp", "--since", "2019", "--save-recipe", str(path), "--dry-run", "--json"]) == 0
    (dry,) = json.loads(capsys.readouterr().out)
    recipe = Recipe.load(path)
    assert recipe.eurostat["code"] == "tgs00042" and recipe.eurostat["since"] == 2019
    assert recipe.constants == {"indicator": "gerd_pc_gdp", "unit": "% of GDP", "sector": "TOTAL"}
    assert cli.main(["my-own", "--recipe", str(path), "--json"]) == 0
    (done,) = json.loads(capsys.readouterr().out)
    assert done["status"] == "loaded" and done["rows"] == dry["rows"]

    upload = tmp_path / "estat_tgs00042.csv"  # the same dataset, downloaded by hand as SDMX-CSV
    upload.write_bytes((FIXTURES / "TGS00042.csv").read_bytes())
    assert cli_import.main([str(upload), "--recipe", str(path), "--editor", "analyst", "--json"]) == 0
    capsys.readouterr()
    store = open_store(path=tmp_path / "cli.duckdb")
    obs = store.current("observations").query("indicator == 'gerd_pc_gdp'").set_index(["region_id", "year"])
    versions = store.versions("observations").query("dataset == 'Eurostat tgs00042 · gerd_pc_gdp'")
    store.close()
    assert len(versions) == 2 and versions["source_code"].fillna("").tolist().count("tgs00042") == 1
    assert obs.at[("SE33", 2021), "value"] == pytest.approx(recorded("TGS00042")[("SE33", 2021)])
    assert obs.index.get_level_values("year").min() == 2013  # the file's years: `since` is for fetching only


def test_a_recipe_without_its_eurostat_part_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(tmp_path / "cli.duckdb"))
    old = tmp_path / "old.json"  # the flat form the command line took before recipes were one format
    old.write_text(json.dumps({"code": "nama_10r_3gdp", "indicator_id": "gdp_pps", "filters": "unit=EUR_HAB"}))
    assert cli.main(["x", "--recipe", str(old)]) == 2
    err = capsys.readouterr().err
    assert 'has an "eurostat" part' in err and "--save-recipe" in err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"recipe": 1, "eurostat": {"filters": {}}}))
    assert cli.main(["x", "--recipe", str(bad)]) == 2
    assert 'at least the dataset "code"' in capsys.readouterr().err
