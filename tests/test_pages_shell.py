"""AppTest of the app shell, the home page and the About page, on the demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components import filters
from components.state import REGION
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
    # Links made before codes were kept in the URL hold the labels shown (names for chains): they still work.
    at = open_app(country=["SE", "FI"], level="1", chain="Offshore wind energy")
    assert at.selectbox(key="chain").value == "offshore_wind"
    assert at.multiselect(key="country").value == ["SE", "FI"]
    assert at.radio(key="level").value == 1
    # SE has 3 NUTS-1 regions, FI 2 (mainland and Åland): 5 in view.
    assert metrics(at)["Regions"] == "5"
    assert "Offshore wind" in at.subheader[0].value


def test_links_may_name_filters_by_code() -> None:
    """People type and share codes: ?region=SE33 selects Övre Norrland, ?chain=offshore_wind the chain."""
    at = open_app(region="SE33", chain="offshore_wind", stage="operation_grid", sector="c33", year="2020")
    assert at.selectbox(key="region").value == "SE33"
    assert at.selectbox(key="chain").value == "offshore_wind"
    assert at.multiselect(key="stage").value == ["operation_grid"]
    assert at.multiselect(key="sector").value == ["C33"]
    assert at.selectbox(key="year").value == 2020
    assert not at.sidebar.warning
    # The address bar holds codes, not the names shown: the link stays the same whatever the spelling.
    url = {k: at.query_params[k] for k in ("region", "chain", "stage", "sector")}
    assert url == {"region": "SE33", "chain": "offshore_wind", "stage": "operation_grid", "sector": "C33"}
    labelled = open_app(region="SE33 Övre Norrland", chain="Offshore wind energy")  # links made before
    assert labelled.selectbox(key="region").value == "SE33"
    assert (labelled.query_params["region"], labelled.query_params["chain"]) == ("SE33", "offshore_wind")


def test_a_link_naming_what_is_not_there_says_so() -> None:
    at = open_app(region="XX99", country=["SE", "ZZ"])
    assert at.selectbox(key="region").value is None
    assert at.multiselect(key="country").value == ["SE"]
    notices = [w.value for w in at.sidebar.warning]
    assert any("region 'XX99'" in n and "no region is chosen" in n for n in notices), notices
    assert any("country 'ZZ'" in n and "left out" in n for n in notices), notices


def test_changing_a_filter_changes_the_numbers() -> None:
    before = metrics(open_app())
    after = metrics(open_app(country=["EE"]))
    assert after["Regions"] == "1"
    assert after["Actors"] != before["Actors"]


def test_region_options_follow_level_and_countries() -> None:
    at = open_app(country=["LV"])
    assert at.selectbox(key=REGION).options == ["LV00"]  # the codes, in the URL
    assert at.selectbox(key=filters.shown(REGION)).options == ["LV00 Latvija"]  # the names, on screen


def test_about_page_lists_every_formula_and_the_data_on_screen() -> None:
    at = open_app("pages/about.py")
    latex = " ".join(e.value for e in at.latex)
    for _name, formula in indicators.FORMULAS.values():
        assert formula in latex
    for spec in derived.REGISTRY.values():
        assert spec.formula in latex
    headers = [h.value for h in at.header]
    assert headers == [
        "Indicators and their formulas",
        "Value chains",
        "Data on screen",
        "Eurostat datasets loaded",
        "Boundaries and licences",
    ]
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
    assert "The database is not available" in message and "broken.duckdb" in message
    assert str(tmp_path) not in message, "viewers are not shown where files live on the server"
    assert "move it away or delete it" in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:hunter2@127.0.0.1:9/valuechain",
        "postgresql://127.0.0.1:9/valuechain?user=app&password=hunter2",
        "postgresql://app@127.0.0.1:9/valuechain?sslmode=disable&sslpassword=hunter2",
        "mysql://127.0.0.1:9/valuechain?user=app&password=hunter2",
    ],
)
def test_unreachable_postgres_gives_a_clear_message(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("VALUECHAIN_DB_URL", url)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not at.exception
    message = at.error[0].value
    assert "VALUECHAIN\\_DB\\_URL" in message
    assert "hunter2" not in message


def test_streamlit_shows_viewers_no_tracebacks() -> None:
    """Uncaught errors reach the browser as a generic message only; the app's own messages say what to do."""
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


def test_missing_boundaries_say_how_to_get_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("VALUECHAIN_GEO_DIR", raising=False)
    monkeypatch.setenv("VALUECHAIN_CACHE_DIR", str(tmp_path / "empty-cache"))
    at = open_app()
    warning = " ".join(w.value for w in at.warning).replace("\\", "")
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


def test_tables_shown_give_formula_neutral_downloads(
    monkeypatch: pytest.MonkeyPatch, seeded_db: Path, tmp_path: Path
) -> None:
    """Names written before they were checked (or by another program) reach st.dataframe, whose own "Download
    as CSV" exports what it shows: formulas are neutralised like in every CSV export of the app."""
    import shutil

    copy = tmp_path / "names.duckdb"
    shutil.copy(seeded_db, copy)
    store = open_store(path=copy)
    store.backend.query(
        "UPDATE datasets SET name = '=HYPERLINK(\"http://evil.example\",\"x\")' WHERE table_name = 'regions'"
    )
    store.backend.query("UPDATE dataset_versions SET created_by = '@SUM(1+1) Mallory'")
    store.close()
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(copy))
    at = open_app("pages/about.py")
    shown = next(d.value for d in at.dataframe if "created_by" in d.value.columns)
    regions = shown.set_index("table_name").loc["regions"]
    assert regions["dataset"] == '\'=HYPERLINK("http://evil.example","x")'
    assert set(shown["created_by"]) == {"'@SUM(1+1) Mallory"}


HOSTILE = "[x](javascript:alert(1)) see https://evil.example or www.evil.example \u202eevil"


def test_data_text_reaches_markdown_as_plain_text(
    monkeypatch: pytest.MonkeyPatch, seeded_db: Path, tmp_path: Path
) -> None:
    """A name holding a Markdown link, web addresses and a right-to-left override is shown as typed: no link,
    no autolink, no reversed text (help texts, captions, option labels, tables)."""
    import shutil

    copy = tmp_path / "hostile.duckdb"
    shutil.copy(seeded_db, copy)
    store = open_store(path=copy)
    for code in ("SE", "SE33"):
        store.backend.query("UPDATE regions SET name = ? WHERE nuts_id = ?", (HOSTILE, code))
    store.backend.query("UPDATE dataset_versions SET file_name = 'report\u202efdp.csv'")
    store.close()
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(copy))
    at = open_app()
    help_text = at.sidebar.multiselect(key="country").help
    # Markdown escapes; a word joiner (U+2060) after :// and www, where Streamlit's Markdown would add links.
    assert (
        "SE \\[x\\](javascript\\:alert(1)) see https\\:\u2060//evil.example or www\u2060.evil.example evil" in help_text
    )
    assert "](" not in help_text.replace("\\](", "") and "\u202e" not in help_text
    options = at.sidebar.selectbox(key=filters.shown(REGION)).options  # the names shown beside the codes
    assert any(o.startswith("SE33 [x](javascript:alert(1))") and o.endswith(" evil") for o in options)
    assert not any("\u202e" in o for o in options)
    about = open_app("pages/about.py")
    shown = next(d.value for d in about.dataframe if "file_name" in d.value.columns)
    assert set(shown["file_name"]) == {"reportfdp.csv"}
