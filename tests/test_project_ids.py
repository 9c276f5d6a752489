"""Project lists without slug ids (issue 10, item 7): own codes become identifiers, else a stable id per row."""

from __future__ import annotations

from valuechain import demo, ingest
from valuechain.ingest.projects import identifier

HEADER = "Koodi,Hankkeen nimi,programme,budget_eur,partner_regions,start_year,end_year,source\n"
ROWS = (
    "A70301,Reaktek,ERDF Finland 2014-2020,443909,Etelä-Savo,2015,2017,rakennerahastot.fi\n"
    "A70302,INKA-Uudet tekniikat,ERDF Finland 2014-2020,280000,FI1C,2015,2017,rakennerahastot.fi\n"
)


def checked(text: str) -> ingest.Checked:
    parsed = ingest.read(text.encode(), "projektilista.csv")
    context = ingest.Context.from_frames(demo.load_definitions(), "projects")
    return ingest.check(parsed, "projects", ingest.auto_map(parsed, "projects"), context, dataset="ERDF FI")


def test_identifier() -> None:
    assert identifier("A70301") == "a70301"
    assert identifier("Vækst 2.0 ") == "vaekst-2-0"
    assert identifier("Łódź – Nowe Miasto") == "lodz-nowe-miasto"


def test_the_files_own_code_column_is_used_and_written_as_an_identifier() -> None:
    result = checked(HEADER + ROWS)
    assert result.mapping.columns["project_id"] == "Koodi" and result.mapping.columns["title"] == "Hankkeen nimi"
    assert result.ok, result.report.errors
    assert sorted(result.rows["project_id"]) == ["a70301", "a70302"]
    assert sorted(result.rows["partner_regions"]) == ["FI1C", "FI1D1"]  # Etelä-Savo read by its name
    note = result.report.failures.query("check == 'project_id'")
    assert "2 project code(s) written as identifiers, e.g. 'A70301' → 'a70301'" in note["message"].iat[0]


def test_a_list_without_ids_gets_stable_ids_from_its_rows() -> None:
    text = (HEADER + ROWS).replace("Koodi,", "Nr,").replace("A70301,", "1,").replace("A70302,", "2,")
    text = "\n".join(",".join(line.split(",")[1:]) for line in text.splitlines()) + "\n"
    first, again = checked(text), checked(text)
    assert first.ok, first.report.errors
    ids = sorted(first.rows["project_id"])
    assert ids == sorted(again.rows["project_id"])  # the same file gives the same ids every time
    assert ids[0].startswith("inka-uudet-tekniikat-") and ids[1].startswith("reaktek-")
    assert "no project id column" in " ".join(first.report.failures["message"])


PARTNERS = (
    "Project code,Project acronym,Programme,Partner region,Partner budget,Total budget,Start,End,Partner name\n"
    "#C001,BioBoost,Interreg BSR,FI1C,200000,500000,1.3.2019,2021,University of Turku\n"
    "#C001,BioBoost,Interreg BSR,SE33,250000,500000,2019,2022,Umeå University\n"
    "#C001,BioBoost,Interreg BSR,FI1C,50000,500000,2020,2021,Turku Science Park\n"
    "#C002,WoodLoop,Interreg BSR,DK01,300000,300000,2020,2023,Copenhagen Business Hub\n"
    "#C002,WoodLoop,Interreg BSR,PL63,300000,300000,2020,2023,Gdańsk Wood Cluster\n"
)


def partners_checked(text: str, budget: str) -> ingest.Checked:
    parsed = ingest.read(text.encode(), "keep_partners.csv")
    context = ingest.Context.from_frames(demo.load_definitions(), "projects")
    mapping = ingest.ColumnMap(
        columns={
            "project_id": "Project code",
            "title": "Project acronym",
            "programme": "Programme",
            "partner_regions": "Partner region",
            "budget_eur": budget,
            "start_year": "Start",
            "end_year": "End",
        },
        constants={"source": "keep.eu"},
    )
    return ingest.check(parsed, "projects", mapping, context, dataset="Interreg partners")


def test_one_row_per_partner_is_one_project_with_its_partners_regions() -> None:
    result = partners_checked(PARTNERS, "Partner budget")
    assert result.ok, result.report.errors
    rows = result.rows.set_index("project_id")
    assert list(rows.index) == ["c001", "c002"]
    assert rows.at["c001", "partner_regions"] == "FI1C;SE33" and rows.at["c002", "partner_regions"] == "DK01;PL63"
    assert rows.at["c001", "budget_eur"] == 500000  # partners' shares added up
    assert rows.at["c002", "budget_eur"] == 300000  # one amount repeated on both rows: taken once
    assert (rows.at["c001", "start_year"], rows.at["c001", "end_year"]) == (2019, 2022)
    note = result.report.failures.query("check == 'partner_rows'")["message"].iat[0]
    assert "5 rows are 2 projects: 2 projects have one row per partner" in note
    assert "taken once for 1" in note and "added up as partners' shares for 1" in note
    assert not result.report.failures["message"].str.contains("choose one value").any()


def test_partner_rows_that_disagree_on_the_title_are_named() -> None:
    result = partners_checked(PARTNERS.replace("#C002,WoodLoop,Interreg BSR,PL63", "#C002,WoodLoops,Interreg BSR,PL63"),
                              "Total budget")  # fmt: skip
    assert not result.ok
    error = result.report.errors.query("check == 'partner_rows'").iloc[0]
    assert error["row"] == 5 and "project 'c002' has rows (file rows 5, 6) that differ in 'title'" in error["message"]
