"""AppTest of the app shell, the home page and the About page, on the demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from valuechain import demo, derived, indicators
from valuechain.query import Data, Selection, headline
from valuechain.store import open_store

from .apptest import REPO, open_app

pytestmark = pytest.mark.usefixtures("app_db")


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_home_shows_headline_numbers_of_the_demo_data(seeded_db: Path) -> None:
    at = open_app()
    store = open_store(path=seeded_db)
    data = Data.load(store)
    expected = headline(data, Selection(chain_id="circular_bioeconomy", year=max(data.years())))
    shown = metrics(at)
    assert shown["Regions"] == "56"
    assert shown["Actors"] == f"{expected.actors:,}"
    assert shown["Flows"] == f"{expected.flows:,}"
    assert shown["Funding"] == f"€{expected.funding_eur / 1e6:,.1f} M"
    captions = " ".join(c.value for c in at.caption)
    assert "demo data (synthetic)" in captions
    assert "Demo data (synthetic)" in " ".join(c.value for c in at.sidebar.caption)
    store.close()


def test_filters_start_from_the_url() -> None:
    # Bound widgets put their shown label in the URL: codes for countries, names for chains.
    at = open_app(country=["SE", "FI"], level="1", chain="Offshore wind energy")
    assert at.selectbox(key="chain").value == "offshore_wind"
    assert at.multiselect(key="country").value == ["SE", "FI"]
    assert at.radio(key="level").value == 1
    # SE has 3 NUTS-1 regions, FI 2 (mainland and Åland): 5 in view.
    assert metrics(at)["Regions"] == "5"
    assert "Offshore wind" in at.subheader[0].value


def test_changing_a_filter_changes_the_numbers() -> None:
    before = metrics(open_app())
    after = metrics(open_app(country=["EE"]))
    assert after["Regions"] == "1"
    assert after["Actors"] != before["Actors"]


def test_region_options_follow_level_and_countries() -> None:
    at = open_app(country=["LV"])
    assert at.selectbox(key="region").options == ["LV00 Latvija"]


def test_about_page_lists_every_formula_and_the_data_on_screen() -> None:
    at = open_app("pages/about.py")
    latex = " ".join(e.value for e in at.latex)
    for _name, formula in indicators.FORMULAS.values():
        assert formula in latex
    for spec in derived.REGISTRY.values():
        assert spec.formula in latex
    headers = [h.value for h in at.header]
    assert headers == ["Indicators and their formulas", "Value chains", "Data on screen", "Boundaries and licences"]
    on_screen = at.dataframe[-1].value
    assert set(on_screen["dataset"]) == {demo.DEMO_DATASET}
    assert "observations" in set(on_screen["table_name"])
    text = " ".join(m.value for m in at.markdown)
    assert "© EuroGeographics for the administrative boundaries" in text


def test_large_type_mode_is_in_the_url() -> None:
    at = open_app(present="true")
    assert at.toggle(key="present").value is True
    assert any("font-size: 21px" in str(getattr(e, "proto", "")) for e in at.get("html"))


def test_corrupt_database_file_gives_a_clear_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 500)
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(broken))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not at.exception
    message = at.error[0].value
    assert "The database is not available" in message and str(broken) in message
    assert "move it away or delete it" in message


def test_unreachable_postgres_gives_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALUECHAIN_DB_URL", "postgresql://app:hunter2@127.0.0.1:9/valuechain")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not at.exception
    message = at.error[0].value
    assert "could not be reached" in message and "VALUECHAIN_DB_URL" in message
    assert "hunter2" not in message


def test_missing_boundaries_say_how_to_get_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("VALUECHAIN_GEO_DIR", raising=False)
    monkeypatch.setenv("VALUECHAIN_CACHE_DIR", str(tmp_path / "empty-cache"))
    at = open_app()
    warning = " ".join(w.value for w in at.warning)
    assert "Maps need region boundaries" in warning
    assert "VALUECHAIN_GEO_DIR" in warning


def test_postgresql_shows_the_same_data_as_duckdb(monkeypatch: pytest.MonkeyPatch, postgres_url: str) -> None:
    """VALUECHAIN_DB_URL switches the app to PostgreSQL, seeded with the same demo data."""
    on_duckdb = metrics(open_app(country=["FI", "SE"]))
    monkeypatch.setenv("VALUECHAIN_DB_URL", postgres_url)
    at = open_app(country=["FI", "SE"])
    assert metrics(at) == on_duckdb, at.error[0].value if at.error else ""
    assert "Demo data (synthetic)" in " ".join(c.value for c in at.sidebar.caption)


def test_viewers_get_a_sign_in_link_instead_of_the_data_page() -> None:
    at = open_app()
    links = [link.proto.label for link in at.sidebar.get("page_link")]
    assert links == ["Editor sign-in"]
    assert "Data" not in [link.proto.label for link in at.main.get("page_link")]
