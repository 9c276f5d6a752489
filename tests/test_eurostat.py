"""Eurostat straight into the explorer, against a loopback server serving real recorded API answers:
the catalogue, the client (split requests, cache, 429, asynchronous answers, offline), fetch → check →
commit on both backends, the starter set (failure midway, rerun), updates, the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from valuechain import demo, ingest
from valuechain.eurostat import catalogue, cli, client
from valuechain.eurostat import load as eload
from valuechain.store import Identity, Store, open_store

from .eurostat_server import ASYNC_KEY, FIXTURES, RECORDED_UPDATE, Behaviour

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


def recorded(code: str) -> dict[tuple[str, int], float]:
    """(region, year) → OBS_VALUE straight from the recorded answer, read with the csv module only."""
    with open(FIXTURES / f"{code}.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {(r["geo"], int(r["TIME_PERIOD"])): float(r["OBS_VALUE"]) for r in rows if r["OBS_VALUE"].strip()}


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
    assert {e.indicator_id for e in sbs} >= {"enterprises", "employment", "turnover"}
    assert all(e.sector_dim == "nace_r2" for e in sbs)
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
    sbs = eload.query_for(entry("sbs_enterprises"), definitions["regions"], definitions["sectors"])
    assert sbs.filters["indic_sbs"] == ("ENT_NR",) and len(sbs.filters["nace_r2"]) == 88  # divisions only
    assert "C16" in sbs.filters["nace_r2"] and "TOTAL" not in sbs.filters["nace_r2"]
    with pytest.raises(ValueError, match="code"):
        catalogue.entry_from({"indicator_id": "x"})
    assert entry("gdp").choices == ingest.RowChoices(
        leave_out=frozenset({"extra-regio", "aggregate"}), recode=frozenset({"old-nuts"})
    )
    with pytest.raises(ValueError, match="unknown row choice regions: use extra-regio"):
        catalogue.entry_from({"code": "x", "indicator_id": "y", "leave_out": "regions"})


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
