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
