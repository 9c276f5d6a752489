"""Region names and code-and-name cells become NUTS 2021 codes, each reading listed; ambiguous names are asked."""

from __future__ import annotations

import pandas as pd
import pytest

from valuechain import demo, ingest
from valuechain.ingest.regions import NameMatch, match_regions, name_key


@pytest.fixture(scope="module")
def regions() -> pd.DataFrame:
    return demo.load_definitions()["regions"]


def test_name_key_ignores_case_diacritics_and_latin1_damage() -> None:
    assert name_key("Łódzkie") == name_key("LODZKIE") == name_key("Lódzkie") == "lodzkie"
    assert name_key("Övre  Norrland") == name_key("ovre-norrland")
    assert name_key("Landkreis Vorpommern-Greifswald", loose=True) == "vorpommern greifswald"


def test_a_city_written_without_its_title_and_its_lost_letters_is_its_region(regions: pd.DataFrame) -> None:
    """'Łódź' written by a Latin-1 file is 'Lódz' (Ł and ź lost); NUTS names the city 'Miasto Łódź' (PL711). A
    Polish town's 'Miasto' is a title like the German 'Kreisfreie Stadt', so the city's bare name finds it."""
    found = match_regions(["Lódz", "LODZ", "Warszawa", "Lódzki"], regions)
    assert found["Lódz"] == found["LODZ"] == NameMatch("PL711")
    assert found["Warszawa"] == NameMatch("PL911") and found["Lódzki"] == NameMatch("PL712")


def test_names_national_forms_and_code_name_cells(regions: pd.DataFrame) -> None:
    found = match_regions(["Nordjylland", "Lódzkie", "ÖVRE NORRLAND", "DK01 Hovedstaden", "SE33", "Atlantis"], regions)
    assert found["Nordjylland"] == NameMatch("DK05")
    assert found["Lódzkie"] == NameMatch("PL71")
    assert found["ÖVRE NORRLAND"] == NameMatch("SE33")
    assert found["DK01 Hovedstaden"] == NameMatch("DK01", how="code and name")
    assert "SE33" not in found  # already a code
    assert found["Atlantis"] == NameMatch(None)


def test_nested_namesakes_take_the_files_level_and_true_ambiguity_is_asked(regions: pd.DataFrame) -> None:
    nuts2 = match_regions(["Berlin", "Nordjylland", "Syddanmark", "Leipzig"], regions)
    assert nuts2["Berlin"] == NameMatch("DE30") and nuts2["Leipzig"] == NameMatch("DED5")
    assert nuts2["Nordjylland"] == NameMatch("DK05")
    alone = match_regions(["Leipzig"], regions)
    assert alone["Leipzig"] == NameMatch(None, ("DED5", "DED52"))
    tie = match_regions(["Leipzig", "Nordjylland"], regions)  # NUTS 2 and NUTS 3 read both equally well
    assert tie["Nordjylland"] == NameMatch(None, ("DK05", "DK050"))


def test_check_reads_names_as_codes_lists_each_and_stops_at_ambiguous_ones() -> None:
    frames = demo.load_definitions()
    text = (
        "region,sector,indicator,year,value,unit,source\n"
        "Nordjylland,C16,employment,2021,10,persons,x\n"
        "Lódzkie,C16,employment,2021,20,persons,x\n"
        "Nordjylland,C17,employment,2021,30,persons,x\n"
    )
    parsed = ingest.read(text.encode(), "names.csv")
    context = ingest.Context.from_frames(frames, "observations")
    checked = ingest.check(parsed, "observations", ingest.auto_map(parsed, "observations"), context, dataset="N")
    assert checked.ok, checked.report.errors
    assert sorted(checked.rows["region_id"]) == ["DK05", "DK05", "PL71"]
    listed = checked.report.failures.query("check == 'region_name'")
    assert len(listed) == 2 and set(listed["severity"]) == {"warning"}
    assert "'Lódzkie' read as PL71 (Łódzkie)" in " ".join(listed["message"])
    parsed = ingest.read(text.replace("Lódzkie", "Leipzig").encode(), "names.csv")
    checked = ingest.check(parsed, "observations", ingest.auto_map(parsed, "observations"), context, dataset="N")
    asked = checked.report.errors.query("check == 'region_name'").set_index("value")
    assert not checked.ok and sorted(asked.index) == ["Leipzig", "Nordjylland"]
    assert asked.at["Leipzig", "row"] == 3
    assert "fits several regions: DED5 (Leipzig), DED52 (Leipzig)" in asked.at["Leipzig", "message"]


def test_names_with_titles_or_reordered_words_match_and_a_land_row_is_the_land(regions: pd.DataFrame) -> None:
    """GENESIS writes 'Kiel, Landeshauptstadt, Kreisfreie Stadt' and 'Kreisfreie Stadt Rostock, Hansestadt' where
    NUTS says 'Kiel, Kreisfreie Stadt' and 'Rostock, Kreisfreie Stadt' (not 'Landkreis Rostock'); in a district
    table, the Land row 'Schleswig-Holstein' (DEF and its only part DEF0) is the Land; Leipzig, a region and one
    of its three districts, is read at the file's level (alone, it is asked: see above)."""
    names = [
        "Kiel, Landeshauptstadt, Kreisfreie Stadt",
        "Kreisfreie Stadt Rostock, Hansestadt",
        "Landkreis Rostock",
        "Dithmarschen, Landkreis",
        "Schleswig-Holstein",
        "Leipzig",
    ]
    found = match_regions(names, regions)
    assert found["Kiel, Landeshauptstadt, Kreisfreie Stadt"] == NameMatch("DEF02")
    assert found["Kreisfreie Stadt Rostock, Hansestadt"] == NameMatch("DE803")
    assert found["Landkreis Rostock"] == NameMatch("DE80K")
    assert found["Schleswig-Holstein"] == NameMatch("DEF")
    assert found["Leipzig"] == NameMatch("DED52")  # the file's level (NUTS 3) reads it


def test_german_district_keys_read_as_nuts_through_the_shipped_correspondence(regions: pd.DataFrame) -> None:
    """Official district keys (alone or with the name, as the Federal Employment Agency writes them), Land keys and
    statistical regions read as NUTS 2021 codes; keys that a district reform dissolved or changed are known but
    never recoded, and say what became of them; a municipality's eight digits are left."""
    cells = ["01001", "01001 Flensburg, Stadt", "13", "031", "03159", "13052", "16063", "03241001", "16056"]
    found = match_regions(cells, regions)
    how = "German district key"
    assert found["01001"] == found["01001 Flensburg, Stadt"] == NameMatch("DEF01", how=how)
    assert found["13"] == NameMatch("DE8", how=how) and found["031"] == NameMatch("DE91", how=how)
    assert found["03159"].code == "DE91C", "Göttingen, merged with Osterode in 2016, is NUTS 2021's DE91C"
    assert found["16056"].code == "DEG0N", "Eisenach until its merger in 2021 is NUTS 2021's DEG0N"
    demmin, wartburg = found["13052"], found["16063"]
    assert demmin.code is None and "dissolved in 2011, merged into 13071 Mecklenburgische Seenplatte" in demmin.note
    assert wartburg.code is None and "took in 16056 Eisenach" in wartburg.note
    assert found["03241001"] == NameMatch(None), "a municipality is part of a district, not one"


def test_district_keys_are_read_only_when_every_five_digit_key_is_known(regions: pd.DataFrame) -> None:
    """Another country's five-digit codes (Finnish postal codes) next to a district key keep the column from being
    read by district key: nothing is guessed."""
    from valuechain.ingest.regions import DISTRICT_KEYS, by_key

    codes = set(regions["nuts_id"])
    assert by_key(["01001", "00100"], codes, DISTRICT_KEYS) == {}
    assert by_key(["13", "01"], codes, DISTRICT_KEYS) == {}, "Land keys alone are no proof of a German column"
    assert by_key(["13", "13003"], codes, DISTRICT_KEYS)["13"].code == "DE8"


def test_dissolved_district_keys_are_their_own_group_and_country_ids_recode_as_iso3() -> None:
    """In the rows report, a dissolved district key is `old-district` (left out only as chosen, never recoded) and
    a Data Commons country id (`country/DNK`) is ISO-3, recoded to its NUTS-0 code as chosen."""
    known = set(demo.load_definitions()["regions"]["nuts_id"])
    assert ingest.region_kind("13052", known) == ("old-district", None)
    assert ingest.region_kind("13052 Landkreis Demmin", known) == ("old-district", None)
    assert ingest.region_kind("country/DNK", known) == ("iso3", "DK")
    assert ingest.region_kind("DNK", known) == ("iso3", "DK")
    assert ingest.region_kind("03241001", known) == ("unusable", None)
    assert "dissolved in 2011" in str(ingest.nuts_hint("13052", sorted(known), {}))
