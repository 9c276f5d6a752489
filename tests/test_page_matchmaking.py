"""AppTest of matchmaking on the demo data: the ranked list and its reasons equal the domain's, weights reorder
it, the synergy matrix stays small, and editors (only) save idea cards."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from components.chart_style import esc
from components.layout import plain
from components.state import Matchmaking
from valuechain import matching
from valuechain.query import Data, Selection
from valuechain.store import Identity, open_store

from .apptest import REPO, open_app, plotly_spec

pytestmark = pytest.mark.usefixtures("app_db")

REGION, REGION_LABEL = "FI1D", "FI1D Pohjois- ja Itä-Suomi"
PASSWORD = "test-editor-password"


def load(seeded_db: Path) -> Data:
    store = open_store(path=seeded_db)
    data = Data.load(store)
    store.close()
    return data


def expected_pairs(data: Data) -> matching.PairScores:
    sel = Selection(chain_id="circular_bioeconomy", year=max(data.years()), region=REGION)
    return matching.pair_scores(data, matching.benchmark(data, sel), sel)


PAIR_TAB = {Matchmaking.TAB: Matchmaking.TABS[2]}  # the closer look at one pair and the idea cards, by its link


def suggestions(at: AppTest) -> list[str]:
    """The ranked list as shown: one Markdown line per suggestion."""
    return [m.value for m in at.markdown if m.value.startswith("**") and " · score **" in m.value]


def chart(at: AppTest, key: str) -> dict:
    found = [c for c in at.get("plotly_chart") if key in c.proto.id]
    return plotly_spec(found[0])


def numbers(array: object) -> np.ndarray:
    """A plotly data array: plain JSON lists, or plotly's typed array {"dtype", "bdata", "shape"}."""
    if isinstance(array, dict):
        flat = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
        return flat.reshape([int(n) for n in str(array.get("shape", len(flat))).split(",")])
    return np.array(array, dtype=float)


def test_ranked_partners_with_reasons_for_a_demo_region(seeded_db: Path) -> None:
    at = open_app("pages/matchmaking.py", region=REGION_LABEL)
    data = load(seeded_db)
    pairs = expected_pairs(data)
    ranked = matching.rank_partners(pairs, REGION, pairs.bench.regions["nuts_id"], matching.DEFAULT_WEIGHTS, top=10)
    shown = suggestions(at)
    assert len(shown) == 10
    for line, row in zip(shown, ranked.itertuples(), strict=True):
        assert line == (
            f"**{row.rank}. {plain(matching.label(row.region_id, pairs.bench.names))}** · score "
            f"**{row.score:.2f}**  \n{plain(row.why)}"
        )
    # The best partner's reason, in the words of the method.
    best = ranked.iloc[0]
    assert best["why"] == matching.explain(pairs, REGION, best["region_id"])
    assert "strong in" in best["why"] and "km apart" in best["why"]
    table = next(d.value for d in at.dataframe if "why" in d.value.columns)
    assert table["region_id"].tolist() == ranked["region_id"].tolist()
    assert table["score"].tolist() == pytest.approx(ranked["score"].tolist())
    assert table["why"].tolist() == ranked["why"].tolist()
    bars = chart(at, "score_bars")
    assert [t["name"] for t in bars["data"]] == list(matching.COMPONENTS.values())
    assert "demo data (synthetic)" in " ".join(c.value for c in at.caption)
    assert [t.label for t in at.tabs] == list(Matchmaking.TABS)
    assert len(at.get("plotly_chart")) == 1  # the synergy matrix waits for its tab

    # The closer look starts with the best partner and explains it again in large type.
    at = open_app("pages/matchmaking.py", region=REGION_LABEL, **PAIR_TAB)
    assert at.selectbox(key=Matchmaking.PARTNER).value == best["region_id"]
    assert f"**Why:** {plain(best['why'])}." in [m.value for m in at.markdown]
    assert {m.label: m.value for m in at.metric}["Score"] == f"{best['score']:.2f}"
    assert [m.label for m in at.metric] == ["Score", *matching.COMPONENTS.values()], "three a row, none cut short"
    widths = [c.weight for c in at.main.columns if len(c.metric)]
    assert widths == pytest.approx([1 / 3] * 6), "two rows of three"
    captions = [c.value for c in at.caption]
    assert any("score and components of this pair" in c and "demo data (synthetic)" in c for c in captions)
    actors = next(d for d in at.dataframe if "relation" in d.value.columns)
    assert json.loads(actors.proto.columns)["relation"]["label"] == "Link", "no column without a heading"


def test_weights_reorder_the_list(seeded_db: Path) -> None:
    at = open_app("pages/matchmaking.py", region=REGION_LABEL)
    before = suggestions(at)
    for component in matching.COMPONENTS:
        at.slider(key=Matchmaking.weight(component)).set_value(5 if component == "closeness" else 0)
    at.run()
    pairs = expected_pairs(load(seeded_db))
    closest = matching.rank_partners(pairs, REGION, pairs.bench.regions["nuts_id"], {"closeness": 5}, top=10)
    assert closest["distance_km"].is_monotonic_increasing  # only closeness counts: nearest first
    after = suggestions(at)
    assert after != before
    assert [line.split("** · ")[0] for line in after] == [
        f"**{r.rank}. {plain(matching.label(r.region_id, pairs.bench.names))}" for r in closest.itertuples()
    ]

    # Priority overlap alone puts the region sharing most priorities first.
    for component in matching.COMPONENTS:
        at.slider(key=Matchmaking.weight(component)).set_value(5 if component == "priorities" else 0)
    at.run()
    jaccard = pairs.components["priorities"].loc[REGION].drop(REGION)
    first = suggestions(at)[0].split(" ")[1]  # "**1. CODE Name** · …"
    assert jaccard[first] == jaccard.max() > 0

    for component in matching.COMPONENTS:
        at.slider(key=Matchmaking.weight(component)).set_value(0)
    at.run()
    assert "at least one component" in at.warning[0].value and not suggestions(at)


def test_synergy_matrix_is_a_small_readable_heatmap(seeded_db: Path) -> None:
    at = open_app(
        "pages/matchmaking.py", region=REGION_LABEL, country=["FI", "SE", "EE"], **{Matchmaking.TAB: "Synergy matrix"}
    )
    heat = chart(at, "synergy")["data"][0]
    data = load(seeded_db)
    codes = sorted(
        data["regions"].query("level == 2 and bsr and country in ['FI', 'SE', 'EE']")["nuts_id"],
        key=lambda c: (c[:2], c),
    )
    names = data.region_names
    assert heat["type"] == "heatmap"
    assert heat["x"] == [esc(matching.label(c, names)) for c in codes]  # ordered by country, all in view
    z = numbers(heat["z"])
    assert z.shape == (len(codes), len(codes)) and np.isnan(np.diag(z)).all()
    i, j = codes.index(REGION), codes.index("SE33")
    pairs = expected_pairs(data)
    assert z[i, j] == pytest.approx(
        matching.scores(pairs, matching.DEFAULT_WEIGHTS, [REGION], ["SE33"]).iloc[0, 0], abs=1e-3
    )
    # Only regions in view are suggested.
    assert all(line.split(" ")[1][:2] in {"FI", "SE", "EE"} for line in suggestions(at))

    at.slider(key=Matchmaking.MATRIX).set_value(10).run()
    small = numbers(chart(at, "synergy")["data"][0]["z"])
    assert small.shape == (10, 10)
    assert f"10 of {len(codes)} regions in view" in " ".join(c.value for c in at.caption)


def editor_app(**query: str) -> AppTest:
    """The matchmaking page with an editor password configured (as in .streamlit/secrets.toml)."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.secrets["editor_password"] = PASSWORD
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/matchmaking.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, label: str) -> Button:
    return next(b for b in at.button if b.label == label)


def test_viewers_see_no_form_without_a_password() -> None:
    at = open_app("pages/matchmaking.py", region=REGION_LABEL, **PAIR_TAB)
    assert any("Editing is switched off" in i.value for i in at.info)
    assert not [b for b in at.button if b.label == "Save idea card"]


def test_an_editor_saves_and_changes_an_idea_card(seeded_db: Path) -> None:
    at = editor_app(region=REGION_LABEL, **PAIR_TAB)
    at.text_input(key="login_name").input("Anna")
    at.text_input(key="login_password").input("wrong")
    button(at, "Sign in").click().run()
    assert at.error[0].value == "That password is not right."
    assert not [b for b in at.button if b.label == "Save idea card"]

    at.text_input(key="login_name").input("Anna")
    at.text_input(key="login_password").input(PASSWORD)
    button(at, "Sign in").click().run()
    assert "Signed in as editor: Anna" in [c.value for c in at.caption]
    partner = str(at.selectbox(key=Matchmaking.PARTNER).value)
    prefix = f"idea-new-{REGION}-{partner}"
    # The card starts from the pair: both regions, the reason as description.
    assert at.multiselect(key=f"{prefix}-regions").value == [REGION, partner]
    pairs = expected_pairs(load(seeded_db))
    assert (
        at.text_area(key=f"{prefix}-description").value
        == matching.suggested_idea(pairs, REGION, partner)["description"]
    )
    # One region is not a joint idea: nothing is saved, the form says why.
    at.multiselect(key=f"{prefix}-regions").set_value([REGION])
    button(at, "Save idea card").click().run()
    assert at.error[0].value == "A joint idea needs at least two regions."
    assert load(seeded_db)["ideas"].empty

    at.multiselect(key=f"{prefix}-regions").set_value([REGION, partner])
    at.text_input(key=f"{prefix}-title").input("Side-stream pilot")
    at.text_area(key=f"{prefix}-next_steps").input("Workshop in Oulu")
    button(at, "Save idea card").click().run()
    ideas = load(seeded_db)["ideas"]
    assert ideas[["title", "regions", "next_steps", "created_by", "chain_id"]].values.tolist() == [
        ["Side-stream pilot", f"{REGION};{partner}", "Workshop in Oulu", "Anna", "circular_bioeconomy"]
    ]
    idea_id = int(ideas["idea_id"].iloc[0])
    assert at.success[0].value == plain(f"Saved idea card #{idea_id}: Side-stream pilot")
    assert f"**#{idea_id} Side-stream pilot**" in [m.value for m in at.markdown]

    at.selectbox(key="idea_card").set_value(idea_id).run()
    assert at.text_input(key=f"idea-{idea_id}-title").value == "Side-stream pilot"
    at.text_input(key=f"idea-{idea_id}-title").input("Side-stream pilot, phase 2")
    button(at, "Save idea card").click().run()
    changed = load(seeded_db)["ideas"]
    assert changed["idea_id"].tolist() == [idea_id] and changed["title"].tolist() == ["Side-stream pilot, phase 2"]
    assert isinstance(changed["updated_at"].iloc[0], pd.Timestamp)

    # Deleting needs the confirmation box; then the card is gone for everyone.
    button(at, "Delete idea card").click().run()
    assert at.error[0].value == "Tick the box to confirm that the card should be deleted."
    assert len(load(seeded_db)["ideas"]) == 1
    assert at.checkbox(key=f"idea-{idea_id}-confirm").value is False
    at.button(key="logout").click().run()
    assert not [b for b in at.button if b.label == "Save idea card"]
    assert not [b for b in at.button if b.label == "Delete idea card"]
    assert f"**#{idea_id} Side-stream pilot, phase 2**" in [m.value for m in at.markdown]  # viewers still read it


def test_an_editor_deletes_an_idea_card_after_confirming(seeded_db: Path) -> None:
    store = open_store(path=seeded_db)
    idea_id = store.save_idea(
        {"title": "To be removed", "regions": f"{REGION};SE33", "chain_id": "circular_bioeconomy"},
        who=Identity("Anna", "editor"),
    )
    store.close()
    at = editor_app(region=REGION_LABEL, **PAIR_TAB)
    at.text_input(key="login_name").input("Ben")
    at.text_input(key="login_password").input(PASSWORD)
    button(at, "Sign in").click().run()
    at.selectbox(key="idea_card").set_value(idea_id).run()
    at.checkbox(key=f"idea-{idea_id}-confirm").check()
    button(at, "Delete idea card").click().run()
    assert at.success[0].value == plain(f"Deleted idea card #{idea_id}: To be removed")
    assert idea_id not in load(seeded_db)["ideas"]["idea_id"].tolist()
    assert f"**#{idea_id} To be removed**" not in [m.value for m in at.markdown]
    assert at.selectbox(key="idea_card").value == 0


def test_a_region_alone_in_view_gets_no_suggestions_but_the_ideas() -> None:
    at = open_app("pages/matchmaking.py", region="LV00 Latvija", country=["LV"])
    assert "No other region is in view" in at.info[0].value
    assert not suggestions(at) and not at.get("plotly_chart")
    assert any(b.proto.label == "Download cards (Markdown)" for b in at.get("download_button"))
