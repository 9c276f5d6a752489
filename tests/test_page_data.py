"""AppTest of the Data page: viewers are refused (and do not see it listed), an editor uploads files through
the file_uploader, reads the check report, previews, commits, rolls back and deletes with confirmation."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button, Selectbox

from valuechain import demo, export, ingest
from valuechain.query import Data
from valuechain.recipe import Recipe, new_indicator, remembered
from valuechain.store import open_store

from .apptest import REPO, open_app

pytestmark = pytest.mark.usefixtures("app_db")

PASSWORD = "data-page-password"
TSV = (
    "freq,nace_r2,unit,geo\\TIME_PERIOD\t2021 \t2022 \n"
    "A,C16,NR,SE33\t120 \t130 p\n"
    "A,C17,NR,SE33\t40 \t: \n"
    "A,C16,NR,FI1D\t210 e\t220 \n"
)


def data_of(path: Path) -> Data:
    store = open_store(path=path)
    try:
        return Data.load(store)
    finally:
        store.close()


def button(at: AppTest, label: str) -> Button:
    return next(b for b in at.button if b.label == label)


def editor(name: str = "Analyst Anna") -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.secrets["editor_password"] = PASSWORD
    at.run()
    at.switch_page("pages/data.py").run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PASSWORD)
    button(at, "Sign in").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"Signed in as editor: {name}" in [c.value for c in at.caption]
    return at


def upload(at: AppTest, name: str, content: bytes, table: str = "observations") -> AppTest:
    at.selectbox(key="upload_table").set_value(table).run()
    at.file_uploader[0].set_value((name, content, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def report(at: AppTest):
    return next(d.value for d in at.dataframe if list(d.value.columns)[:3] == ["file", "row", "column"])


def test_viewers_are_refused_and_do_not_see_the_page_listed() -> None:
    at = open_app("pages/data.py")
    assert any("This page is for editors" in i.value for i in at.info)
    assert not at.file_uploader
    home = open_app()
    links = " ".join(link.proto.label for link in home.get("page_link"))
    assert "**Data**" not in links and "**Map**" in links


def test_wrong_password_is_refused() -> None:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.secrets["editor_password"] = PASSWORD
    at.run()
    at.switch_page("pages/data.py").run()
    at.text_input(key="login_name").input("Mallory")
    at.text_input(key="login_password").input("guess")
    button(at, "Sign in").click().run()
    assert at.error[0].value == "That password is not right."
    assert not at.file_uploader


def sign_in(name: str, password: str) -> AppTest:
    """A new browser session trying to sign in."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.secrets["editor_password"] = PASSWORD
    at.run()
    at.switch_page("pages/data.py").run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    button(at, "Sign in").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_wrong_passwords_across_sessions_lock_sign_in_for_a_while(
    monkeypatch: pytest.MonkeyPatch, seeded_db: Path, tmp_path: Path
) -> None:
    """A new session per guess does not help: after five wrong passwords from one address even the right one is
    refused for a few minutes (counted in the database, which every app process shares)."""
    import shutil

    from components import auth
    from valuechain.store import SIGN_IN_ATTEMPTS

    copy = tmp_path / "locked.duckdb"
    shutil.copy(seeded_db, copy)
    monkeypatch.setenv("VALUECHAIN_DB_PATH", str(copy))
    monkeypatch.setattr(auth, "_WRONG_PASSWORD_DELAY", 0.0)
    for i in range(SIGN_IN_ATTEMPTS - 1):
        assert sign_in(f"Mallory {i}", "guess").error[0].value == "That password is not right."
    last = sign_in("Mallory", "guess").error[0].value
    assert last.startswith("That password is not right. Too many wrong passwords") and "5 more minutes" in last
    locked = sign_in("Analyst Anna", PASSWORD)
    assert "Too many wrong passwords" in locked.error[0].value
    assert not locked.file_uploader


def test_behind_a_proxy_wrong_passwords_count_per_forwarded_address(monkeypatch: pytest.MonkeyPatch) -> None:
    from components import auth

    monkeypatch.setenv("VALUECHAIN_CLIENT_ADDRESS_HEADER", "X-Forwarded-For")
    monkeypatch.setattr(
        auth.st,
        "context",
        type("Context", (), {"headers": {"X-Forwarded-For": "10.0.0.1, 192.0.2.7"}, "ip_address": "10.9.9.9"})(),
    )
    assert auth._client_address() == "192.0.2.7"
    monkeypatch.delenv("VALUECHAIN_CLIENT_ADDRESS_HEADER")
    assert auth._client_address() == "10.9.9.9"


def test_editor_names_that_could_run_as_formulas_are_refused() -> None:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.secrets["editor_password"] = PASSWORD
    at.run()
    at.switch_page("pages/data.py").run()
    at.text_input(key="login_name").input("@SUM(1+1) Mallory")
    at.text_input(key="login_password").input(PASSWORD)
    button(at, "Sign in").click().run()
    assert "starts like a spreadsheet formula" in at.error[0].value
    assert not at.file_uploader


def test_dataset_names_that_could_run_as_formulas_cannot_be_committed(seeded_db: Path) -> None:
    at = editor()
    upload(
        at, "prv.csv", b"region_id,sector,indicator,year,value,unit,source\nSE33,C16,patents,2021,3,applications,PRV\n"
    )
    at.text_input(key="upload_dataset").input("=HYPERLINK(1)").run()
    assert any("dataset name starts like a spreadsheet formula" in e.value for e in at.error)
    assert next(b for b in at.button if b.key == "upload_commit").disabled


def test_editor_sees_every_problem_of_a_bad_file_and_cannot_commit(seeded_db: Path) -> None:
    at = editor()
    before = data_of(seeded_db).revision
    bad = (
        b"region_id,sector,indicator,year,value,unit,source\n"
        b"NO01,C16,employment,2019,5,persons,<b>SSB</b>\n"
        b"SE33,16,employment,2019,-4,persons,SCB\n"
    )
    upload(at, "bad.csv", bad)
    shown = report(at)
    found = {(r.row, r.check) for r in shown.itertuples()}
    assert {(2, "reference"), (2, "html"), (3, "reference"), (3, "nonnegative")} <= found
    assert "NUTS 2016 code" in " ".join(shown["message"])
    assert at.error[0].value.startswith("**4 problem(s) to fix** in bad.csv")
    assert button(at, "Commit as a new version of 'bad'").disabled
    download = next(d for d in at.get("download_button") if d.proto.label == "Download the report (CSV)")
    assert download.proto.label == "Download the report (CSV)"
    assert export.to_csv_bytes(shown.sort_index()).startswith(b"\xef\xbb\xbffile,row,column")
    assert data_of(seeded_db).revision == before


def test_editor_uploads_eurostat_tsv_defines_the_indicator_and_commits(seeded_db: Path) -> None:
    at = editor()
    upload(at, "estat_sbs_r_nuts2021.tsv.gz", gzip.compress(TSV.encode()))
    assert "Read as Eurostat bulk TSV" in " ".join(c.value for c in at.caption)
    assert at.selectbox(key="map_region_id").value == "geo"
    assert at.selectbox(key="map_year").value == "TIME_PERIOD"
    assert at.text_input(key="upload_dataset").value == "Eurostat sbs_r_nuts2021"
    # The indicator is not in the file: the analyst gives it, and defines it because it is new.
    at.text_input(key="const_indicator").input("sbs_enterprises").run()
    assert any(m.value == "**sbs\\_enterprises**" for m in at.markdown)
    pending = report(at).query("severity == 'error'")
    assert set(pending["file"]) == {"new indicator definitions (form)"}
    assert set(pending["message"]) == {"'name' must not be empty", "'unit' must not be empty"}
    at.text_input(key="newind_name_sbs_enterprises").input("Enterprises (Eurostat SBS)")
    at.text_input(key="newind_unit_sbs_enterprises").input("NR").run()
    shown = report(at)
    assert set(shown["severity"]) == {"warning"}, shown
    assert {m.label: m.value for m in at.metric}["New"] == "6", "5 values and ':' stored as a missing value"
    chart = at.get("plotly_chart")[0].proto.spec
    # SE33's 2022 total has a missing part (C17 ':'): no bar rather than C16 alone passed off as the total
    assert '"x":["FI1D"]' in chart.replace(" ", "") and "1 with a missing value not shown" in chart
    button(at, "Commit as a new version of 'Eurostat sbs\\_r\\_nuts2021'").click().run()  # Markdown, escaped
    assert not at.exception, [e.value for e in at.exception]
    assert any("Stored version" in s.value and "Every page shows it now" in s.value for s in at.success)
    data = data_of(seeded_db)
    assert data.indicator_table.at["sbs_enterprises", "name"] == "Enterprises (Eurostat SBS)"
    stored = data["observations"].query("indicator == 'sbs_enterprises'")
    assert sorted(stored["value"].dropna().tolist()) == [40.0, 120.0, 130.0, 210.0, 220.0]
    assert stored["value"].isna().sum() == 1
    assert stored.set_index(["region_id", "year"]).loc[("FI1D", 2021), "flag"] == "e"
    versions = open_store(path=seeded_db).versions("observations")
    newest = versions.iloc[0]
    assert (newest["created_by"], newest["file_name"], newest["rows"]) == (
        "Analyst Anna",
        "estat_sbs_r_nuts2021.tsv.gz",
        6,
    )
    # The next file from the same source gets the remembered mapping, including the indicator.
    upload(at, "estat_sbs_r_nuts2021.tsv.gz", gzip.compress(TSV.replace("120 ", "125 ").encode()))
    assert at.text_input(key="const_indicator").value == "sbs_enterprises"
    assert {m.label: m.value for m in at.metric}["Replace other values"] == "1"


def test_one_click_per_group_recodes_what_is_one_to_one_and_leaves_the_rest_out(seeded_db: Path) -> None:
    """Issue 10, item 1 on the page: DNK (ISO-3) and PL11 (NUTS 2013, only its code changed) are recoded with one
    click each; LT00 (split into LT01 and LT02) stays offered and is left out with one more; the commit stores DK
    and PL71 and the version counts the row left out."""
    text = "region_id,sector,indicator,year,value,unit,source\n" + "".join(
        f"{r},C16,employment,2021,{v},persons,office\n"
        for r, v in (("SE33", 10), ("DNK", 20), ("PL11", 30), ("LT00", 40))
    )
    at = upload(editor(), "office_recode.csv", text.encode())
    assert "recode 1 of them" in " ".join(m.value for m in at.markdown if "older NUTS version" in m.value)
    at.button(key="rowgroup_recode_iso3_region_id").click().run()
    at.button(key="rowgroup_recode_old-nuts_region_id").click().run()
    assert not at.exception, [e.value for e in at.exception]
    old = next(m.value for m in at.markdown if "older NUTS version" in m.value)
    assert "1 recoded as chosen" in old and at.button(key="rowgroup_leave_old-nuts_region_id").label == "Leave out 1"
    at.button(key="rowgroup_leave_old-nuts_region_id").click().run()
    assert not at.exception, [e.value for e in at.exception]
    button(at, "Commit as a new version of 'office\\_recode'").click().run()
    assert not at.exception, [e.value for e in at.exception]
    stored = data_of(seeded_db)["observations"].query("source == 'office'")
    assert sorted(stored[["region_id", "value"]].itertuples(index=False, name=None)) == [
        ("DK", 20.0),
        ("PL71", 30.0),
        ("SE33", 10.0),
    ]
    versions = open_store(path=seeded_db).versions("observations")
    version = versions[versions["dataset"] == "office_recode"].iloc[0]
    assert int(version["left_out"]) == 1 and "old-nuts 1" in version["left_out_kinds"]


def version_picker(at: AppTest) -> Selectbox:
    """The version picker's key changes with the store's revision (so its labels are fresh)."""
    return next(s for s in at.selectbox if str(s.key).startswith("version_pick_"))


def test_editor_rolls_back_and_deletes_with_confirmation(seeded_db: Path) -> None:
    at = editor("Analyst Bo")
    csv = "region_id,sector,indicator,year,value,unit,source\nSE33,C16,patents,2021,{v},applications,PRV\n"
    for value in (3, 4):
        upload(at, "prv.csv", csv.format(v=value).encode())
        at.text_input(key="upload_dataset").input("PRV patents").run()
        button(at, "Commit as a new version of 'PRV patents'").click().run()
        assert not at.exception
    value = data_of(seeded_db)["observations"].query("indicator == 'patents' and source == 'PRV'")["value"]
    assert value.tolist() == [4.0]
    store = open_store(path=seeded_db)
    versions = store.versions("observations").query("dataset == 'PRV patents'")
    store.close()
    first, second = sorted(versions["version_id"])
    version_picker(at).set_value(first).run()
    button(at, "Make current").click().run()
    assert any(f"Version {first} of 'PRV patents'" in s.value for s in at.success)
    value = data_of(seeded_db)["observations"].query("indicator == 'patents' and source == 'PRV'")["value"]
    assert value.tolist() == [3.0]
    version_picker(at).set_value(second).run()
    button(at, "Delete…").click().run()
    assert any(f"Delete version {second} of dataset 'PRV patents'" in w.value for w in at.warning)
    button(at, "Cancel").click().run()
    assert not at.warning
    button(at, "Delete…").click().run()
    button(at, f"Yes, delete version {second}").click().run()
    assert any(f"Version {second} was deleted." in s.value for s in at.success)
    store = open_store(path=seeded_db)
    assert store.versions().set_index("version_id").at[second, "status"] == "deleted"
    store.close()
    # The first upload took the demo's SE33 C16 patents 2021 over; deleting it gives the demo its row back.
    version_picker(at).set_value(first).run()
    button(at, "Delete…").click().run()
    button(at, f"Yes, delete version {first}").click().run()
    assert any(
        f"Version {first} was deleted. Dataset '{demo.DEMO_DATASET}' has its rows back" in s.value for s in at.success
    ), [s.value for s in at.success]
    patents = data_of(seeded_db)["observations"].query(
        "indicator == 'patents' and region_id == 'SE33' and sector == 'C16' and year == 2021"
    )
    assert patents["source"].tolist() != ["PRV"] and len(patents) == 1


def test_templates_are_offered_for_every_table() -> None:
    at = editor()
    at.selectbox(key="template_table").set_value("flows").run()
    labels = [d.proto.label for d in at.get("download_button")]
    assert "CSV template" in labels and "Excel template" in labels
    guide = next(d.value for d in at.dataframe if "allowed values" in d.value.columns)
    assert guide["column"].tolist()[:3] == ["chain_id", "from_region", "from_stage"]
    assert demo.DEMO_DATASET  # the demo data is what the templates' examples refer to


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "app",
    "client_secret": "secret",
    "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
}


def oidc_app(user: dict, **secrets: object) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.secrets["auth"] = AUTH
    at.secrets["editor_password"] = PASSWORD  # ignored once [auth] is configured
    for key, value in secrets.items():
        at.secrets[key] = value
    at.user = user
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_with_oidc_a_signed_in_user_is_an_editor() -> None:
    at = oidc_app({"is_logged_in": True, "email": "anna@region.example", "name": "Anna Analyst"})
    assert "Signed in as editor: Anna Analyst" in [c.value for c in at.caption]
    assert at.file_uploader, "editors get the upload"
    login = [t for t in at.text_input if t.key in ("login_name", "login_password")]
    assert not login, "no password form when single sign-on is configured"


def test_with_oidc_only_listed_emails_are_editors() -> None:
    at = oidc_app(
        {"is_logged_in": True, "email": "guest@elsewhere.example", "name": "Guest"},
        editor_emails=["anna@region.example"],
    )
    assert any("not an editor" in w.value for w in at.warning)
    assert not at.file_uploader
    at = oidc_app(
        {"is_logged_in": True, "email": "Anna@Region.example", "name": "Anna"}, editor_emails=["anna@region.example"]
    )
    assert at.file_uploader


def test_with_oidc_signed_out_users_get_the_single_sign_on_button() -> None:
    at = oidc_app({"is_logged_in": False})
    assert [b.label for b in at.button if b.key == "login_oidc"] == ["Sign in as editor"]
    assert not at.file_uploader and not at.text_input


def test_a_recipe_fills_every_choice_and_is_remembered_for_the_source(seeded_db: Path) -> None:
    at = editor()
    upload(at, "estat_sbs_r_nuts2021.tsv.gz", gzip.compress(TSV.encode()))
    recipe = Recipe(
        columns={"region_id": "geo", "year": "TIME_PERIOD", "value": "value", "flag": "flag"},
        constants={"indicator": "sbs_units", "sector": "C16"},
        keep={"nace_r2": "C16"},
        dataset="SBS local units",
        choices=ingest.RowChoices(leave_out=frozenset({"extra-regio"}), missing=("", ":", "n/a")),
        new_indicators=[new_indicator("sbs_units", "Local units (SBS)", "NR", "sum")],
    )
    at.file_uploader[1].set_value(("sbs.recipe.json", recipe.to_json().encode(), "application/json")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(c.value == "Recipe sbs.recipe.json applied: its choices are filled in below." for c in at.caption)
    assert at.text_input(key="const_indicator").value == "sbs_units"
    assert at.text_input(key="upload_dataset").value == "SBS local units"
    assert at.selectbox(key="filter_nace_r2").value == "C16"
    assert at.text_input(key="newind_name_sbs_units").value == "Local units (SBS)"
    assert at.text_input(key="read_missing").value == "'', :, n/a"
    assert set(report(at)["severity"]) == {"warning"}
    download = next(d for d in at.get("download_button") if d.proto.label == "Download recipe")
    assert download.proto.url.endswith(".json")  # the same recipe is remembered on commit: checked below
    button(at, "Commit as a new version of 'SBS local units'").click().run()
    assert not at.exception, [e.value for e in at.exception]
    stored = data_of(seeded_db)["observations"].query("indicator == 'sbs_units'")
    assert sorted(stored["value"].tolist()) == [120.0, 130.0, 210.0, 220.0]
    store = open_store(path=seeded_db)
    try:
        parsed = ingest.read(gzip.compress(TSV.encode()), "estat_sbs_r_nuts2021.tsv.gz")
        again = remembered(store, parsed.source_key, "observations")
    finally:
        store.close()
    assert again.dataset == "SBS local units" and again.keep == {"nace_r2": "C16"}
    assert again.choices.leave_out == {"extra-regio"} and again.choices.missing == ("", ":", "n/a")
    assert again.new_indicators[0]["name"] == "Local units (SBS)"
    # The next file of the source starts from the remembered recipe, without loading it again.
    at2 = editor()
    upload(at2, "estat_sbs_r_nuts2021.tsv.gz", gzip.compress(TSV.replace("130 p", "135 p").encode()))
    assert at2.text_input(key="upload_dataset").value == "SBS local units"
    assert at2.text_input(key="const_indicator").value == "sbs_units"
    assert at2.selectbox(key="filter_nace_r2").value == "C16"


def test_the_analyst_sets_where_the_table_sits_and_the_recipe_carries_it(seeded_db: Path) -> None:
    """A file with a title line and a footer line not set off by a blank line: the title is found, the footer is
    first read as a damaged row; the analyst says the last row is a footer, commits, and the recipe remembered
    for the source holds that choice."""
    text = "Employment by region\nregion_id;sector;indicator;year;value;unit;source\n"
    text += "SE33;C16;employment;2021;120;persons;SCB\nFI1D;C16;employment;2021;210;persons;SF\nSource: SCB, SF\n"
    at = upload(editor(), "titled.csv", text.encode())
    assert any("1 row above the header skipped (title, metadata)" in c.value for c in at.caption)
    assert any(c.value == "Table found with its header in row 2." for c in at.caption)
    assert report(at)["row"].tolist() == [5]  # the footer, read as a row of one value
    at.number_input(key="read_footer_rows").set_value(1).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("1 row after the table left out (footer)" in c.value for c in at.caption)
    commit = next(b for b in at.button if b.key == "upload_commit")
    assert not commit.disabled, report(at).to_dict("records")
    commit.click().run()
    assert not at.exception, [e.value for e in at.exception]
    stored = data_of(seeded_db)["observations"].query("source == 'SF'")
    assert stored[["region_id", "value"]].values.tolist() == [["FI1D", 210.0]]
    store = open_store(path=seeded_db)
    try:
        parsed = ingest.read(text.encode(), "titled.csv", ingest.ReadOptions(footer_rows=1))
        again = remembered(store, parsed.source_key, "observations")
    finally:
        store.close()
    assert again.read == {"footer_rows": 1}
