"""Joint investment ideas (BSR step 4): a card drafted from the suggested pair, saved by editors, listed, exported.

Saving happens in the form's callback, before the page reruns, so the new revision (and the card) is on
screen at once; the store checks the editor role again.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from components import auth, layout
from components import data as app_data
from valuechain import matching, text
from valuechain.query import Data, split_list
from valuechain.store import StoreError

_FLASH = "_idea_flash"
_CARD = "idea_card"  # the card picker
NEW = 0  # the "new idea" choice of the card picker


def _base(data: Data, draft: dict[str, Any], idea_id: int) -> dict[str, Any]:
    """The values the form starts from: the draft for a new card, the stored card otherwise."""
    if idea_id == NEW:
        return draft
    row = data["ideas"].set_index("idea_id").loc[idea_id]
    return {
        "idea_id": idea_id,
        "title": row["title"],
        "chain_id": row["chain_id"],
        "regions": split_list(row["regions"]),
        "actors": split_list(row["actors"]),
        "stages": split_list(row["stages"]),
        "description": _text(row["description"]),
        "next_steps": _text(row["next_steps"]),
    }


def _text(value: object) -> str:
    """A stored optional text as the form shows it (missing → empty)."""
    return "" if pd.isna(value) else str(value)


def _save(prefix: str, idea_id: int, chain_id: str | None) -> None:
    """Form callback: check the card, save it as the signed-in user, say what happened."""
    values = {
        f: st.session_state.get(f"{prefix}-{f}")
        for f in ("title", "regions", "actors", "stages", "description", "next_steps")
    }
    idea = {**values, "chain_id": chain_id, "idea_id": None if idea_id == NEW else idea_id}
    problems = matching.check_idea(idea)
    if problems:
        st.session_state[_FLASH] = ("error", " ".join(problems))
        return
    try:
        saved = app_data.store().save_idea(matching.idea_record(idea), who=auth.identity())
    except StoreError as exc:  # PermissionDenied included
        st.session_state[_FLASH] = ("error", f"The idea card was not saved: {auth.error_message(exc)}")
        return
    st.session_state[_FLASH] = ("success", f"Saved idea card #{saved}: {values['title']}")
    if idea_id == NEW:  # start the next new card from the draft again
        for f in values:
            st.session_state.pop(f"{prefix}-{f}", None)


def _delete(idea_id: int, title: str) -> None:
    """Button callback: delete the card once the editor has ticked the confirmation."""
    if not st.session_state.get(f"idea-{idea_id}-confirm"):
        st.session_state[_FLASH] = ("error", "Tick the box to confirm that the card should be deleted.")
        return
    try:
        app_data.store().delete_idea(idea_id, who=auth.identity())
    except StoreError as exc:
        st.session_state[_FLASH] = ("error", f"The idea card was not deleted: {auth.error_message(exc)}")
        return
    st.session_state[_FLASH] = ("success", f"Deleted idea card #{idea_id}: {title}")
    st.session_state[_CARD] = NEW


def editor(data: Data, draft: dict[str, Any], region_names: dict[str, str]) -> None:
    """Sign-in, then a form to write a new card from the draft or change an existing one (editors only)."""
    auth.login_form()
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(layout.plain(flash[1]))
    if not auth.identity().can_write:
        return
    ideas = data["ideas"].sort_values("idea_id", ascending=False)
    titles = dict(zip(ideas["idea_id"].astype(int), ideas["title"], strict=True))
    idea_id = st.selectbox(
        "Idea card",
        [NEW, *titles],
        key=_CARD,
        format_func=lambda i: "New card for this pair" if i == NEW else text.without_bidi(f"#{i} {titles[i]}"),
    )
    base = _base(data, draft, int(idea_id))
    prefix = f"idea-{idea_id}" if idea_id != NEW else "idea-new-" + "-".join(draft["regions"])
    region_options = list(dict.fromkeys([*region_names, *base["regions"]]))
    actors = pd.concat(
        [matching.actors_of(data, r, str(base["chain_id"])) for r in base["regions"]] or [data["actors"].iloc[0:0]]
    )
    actor_names = dict(zip(actors["actor_id"], actors["name"] + " (" + actors["region_id"] + ")", strict=True))
    actor_names.update({a: a for a in base["actors"] if a not in actor_names})
    stages = data.stages(str(base["chain_id"]))
    stage_names = dict(zip(stages["stage_id"], stages["name"], strict=True))
    with st.form(f"form-{prefix}"):
        st.text_input("Title", base["title"], key=f"{prefix}-title", max_chars=200)
        st.multiselect(
            "Regions",
            region_options,
            default=base["regions"],
            key=f"{prefix}-regions",
            format_func=lambda c: matching.label(c, region_names),
        )
        st.multiselect(
            "Actors",
            list(actor_names),
            default=[a for a in base["actors"] if a in actor_names],
            key=f"{prefix}-actors",
            format_func=actor_names.__getitem__,
        )
        st.multiselect(
            "Stages",
            list(stage_names),
            default=[s for s in base["stages"] if s in stage_names],
            key=f"{prefix}-stages",
            format_func=stage_names.__getitem__,
        )
        st.text_area("What the partners would do", base["description"], key=f"{prefix}-description")
        st.text_area("Next steps", base["next_steps"], key=f"{prefix}-next_steps", placeholder="Who does what by when")
        st.form_submit_button(
            "Save idea card", type="primary", on_click=_save, args=(prefix, int(idea_id), base["chain_id"])
        )
    if idea_id != NEW:
        cols = st.columns([2, 1])
        cols[0].checkbox("Yes, delete this card for everyone", key=f"idea-{idea_id}-confirm")
        cols[1].button(
            "Delete idea card",
            key=f"idea-{idea_id}-delete",
            icon=":material/delete:",
            on_click=_delete,
            args=(int(idea_id), titles[int(idea_id)]),
        )


def listing(data: Data, chain_id: str, chain_name: str, shown: int = 20) -> None:
    """The chain's cards, newest first, as cards to read aloud; Markdown and CSV downloads of all of them."""
    view = matching.ideas_view(data, chain_id)
    if view.empty:
        st.caption("No idea cards for this value chain yet.")
    for idea in view.head(shown).itertuples():
        with st.container(border=True):
            st.markdown(f"**#{idea.idea_id} {layout.plain(idea.title)}**")
            st.caption(
                f"{layout.plain(idea.regions)} · stages: {layout.plain(idea.stages or '–')} · actors: "
                f"{layout.plain(idea.actors or '–')} · by {layout.plain(idea.created_by)}, "
                f"{idea.updated_at:%Y-%m-%d %H:%M} UTC"
            )
            if idea.description:
                st.markdown(layout.plain(idea.description))
            if idea.next_steps:
                st.markdown(f"**Next steps:** {layout.plain(idea.next_steps)}")
    if len(view) > shown:
        st.caption(f"The newest {shown} of {len(view)} cards; the downloads hold all of them.")
    cols = st.columns(2)
    cols[0].download_button(  # both files are made when clicked, not on every rerun
        "Download cards (Markdown)",
        lambda: matching.ideas_markdown(view, f"Joint investment ideas – {chain_name}"),
        file_name="idea-cards.md",
        mime="text/markdown",
        on_click="ignore",
        icon=":material/download:",
    )
    cols[1].download_button(
        "Download cards (CSV)",
        lambda: matching.ideas_csv(view),
        file_name="idea-cards.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )
    st.caption("Source: idea cards written by editors in this app")
