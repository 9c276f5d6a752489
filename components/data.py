"""The app's one store and the current data bundle, cached by small keys (configuration, revision)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import auth, nav, state
from valuechain import demo
from valuechain.query import Data
from valuechain.store import Store, StoreError, open_store


@st.cache_resource(max_entries=2, show_spinner=False)
def _store(config_key: str) -> Store:
    """One store per configuration (state.config_key: it changes when the env vars do)."""
    store = open_store()
    if store.is_empty():
        demo.seed_store(store)
    return store


@st.cache_resource(max_entries=4, show_spinner=False)
def _data(config_key: str, revision: int) -> Data:
    """Every current table of one revision; a write bumps the revision, so pages see it at once."""
    return Data.load(_store(config_key))


def store() -> Store:
    """The configured store, or a clear message and a stop when it cannot be used."""
    try:
        with st.spinner("Opening the database (the first start loads the demo data)…"):
            return _store(state.config_key())
    except StoreError as exc:
        st.error(f"**The database is not available.** {auth.error_message(exc)}", icon="🛑")
        st.stop()
        raise  # unreachable: st.stop() ends the run


def data() -> Data:
    """The current data bundle for this rerun; every page starts here (so it also checks the shell ran)."""
    nav.ensure_shell()
    s = store()
    try:
        return _data(state.config_key(), s.revision())
    except Exception as exc:  # a server that went away after start, a file removed under us
        st.error(f"**The data could not be read.** {auth.error_message(exc)}", icon="🛑")
        st.stop()
        raise


@st.cache_resource(max_entries=4, show_spinner=False)
def _datasets_on_screen(data_key: str) -> pd.DataFrame:
    """Shared, not copied on each call (cache_data would unpickle it three times a rerun): read-only."""
    return store().datasets_on_screen()


def datasets_on_screen(data: Data) -> pd.DataFrame:
    """The current dataset versions of this bundle: asked once per revision, not on every rerun of every page."""
    return _datasets_on_screen(state.data_key(data))
