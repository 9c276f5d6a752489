"""Recipes on the page: one loaded here fills every choice at once; every choice made here, as a recipe to
download (and to remember for the source at commit)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from components import layout
from components.upload import reading, session
from components.upload.rows import choices as row_choices
from valuechain import ingest
from valuechain.recipe import Recipe


def recipe_loader() -> None:
    """A recipe downloaded earlier (or written for the command line) fills every choice below at once."""
    key = f"upload_recipe_file_{st.session_state.get(session.ROUND, 0)}"
    with st.expander("Load a recipe", icon=":material/receipt_long:"):
        st.file_uploader(
            "Recipe (JSON) from an earlier upload or the command line",
            type=["json"],
            key=key,
            on_change=_apply,
            args=(key,),
        )
        loaded = st.session_state.get(session.RECIPE)
        if isinstance(loaded, str):
            st.error(loaded)
        elif loaded is not None:
            st.caption(f"Recipe {layout.plain(loaded[0])} applied: its choices are filled in below.")


def _apply(key: str) -> None:
    """Runs before the page does (a widget callback), so it may set every other widget's value."""
    file = st.session_state.get(key)
    if file is None:
        st.session_state.pop(session.RECIPE, None)
        return
    try:
        recipe = Recipe.from_json(file.getvalue(), where=file.name)
    except ingest.IngestError as exc:
        st.session_state[session.RECIPE] = layout.plain(exc)
        return
    st.session_state[session.RECIPE] = (file.name, recipe)
    st.session_state["upload_table"] = recipe.table
    reading.apply(recipe.read, recipe.choices.missing)
    st.session_state.pop(session.SIGNATURE, None)  # the mapping widgets start again, from the recipe


def page_recipe(checked: ingest.Checked, definitions: pd.DataFrame | None) -> Recipe:
    """Every choice on the page as a recipe: reading options, mapping, dataset, mode, new indicators."""
    read = dataclasses.asdict(reading.options(checked.parsed.sheet if checked.parsed.sheets else None))
    recipe = Recipe(
        table=checked.table.name,
        read={k: v for k, v in read.items() if v is not None},
        dataset=checked.dataset,
        mode=checked.mode,
        choices=row_choices(),
        new_indicators=[] if definitions is None else definitions.to_dict("records"),
    )
    return recipe.with_mapping(checked.mapping)
