"""UI state in one place: the URL keys of every page, the session keys pages share, the data-bundle cache key.

A widget bound to the URL (`bind=URL`) is a query parameter named after its key, so a copied link reopens
the view. The global filters (sidebar) have plain names; a page's own options are namespaced by the page's
URL path (`map.indicator`, `flows.top`), so one name never means two things on two pages. Workshop
scenes and tests build links from these constants, never from bare strings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

from valuechain.query import Data

URL: Final = "query-params"  # the `bind=` marker that keeps a widget's value in the URL

# --- global filters (app.py's sidebar), shared by every page ----------------------------------------------
CHAIN = "chain"
STAGE = "stage"
SECTOR = "sector"
COUNTRY = "country"
YEAR = "year"
LEVEL = "level"
REGION = "region"  # the focus region; the map's click and the profile's picker write it too
PRESENT = "present"  # large type for screen-sharing
GLOBAL_KEYS = (CHAIN, STAGE, SECTOR, COUNTRY, YEAR, LEVEL, REGION, PRESENT)

# --- where in a workshop agenda a view is (any page; never part of a scene's own state) ------------------
WORKSHOP = "workshop"
SCENE = "scene"
AGENDA_KEYS = (WORKSHOP, SCENE)

# --- session keys that are not in the URL ----------------------------------------------------------------
SELECTION = "_selection"  # the Selection app.py drew for this run (components/filters.py)
SHELL_RAN = "_shell_ran"  # this session runs pages through st.navigation (components/nav.py)
PICKED_REGION = "_picked_region"  # the profile's and matchmaking's own region picker


def _on(page: str, name: str) -> str:
    return f"{page}.{name}"


@dataclass(frozen=True)
class BenchmarkKeys:
    """The benchmark controls the profile and matchmaking pages share, each page under its own names."""

    indicator: str
    threshold: str

    @classmethod
    def of(cls, page: str) -> BenchmarkKeys:
        return cls(_on(page, "indicator"), _on(page, "threshold"))


class Map:
    PAGE = "map"
    INDICATOR = _on(PAGE, "indicator")
    CLASSES = _on(PAGE, "classes")
    FLOWS = _on(PAGE, "flows")  # the flow overlay's kind
    TOP = _on(PAGE, "top")  # how many flows are drawn
    BUBBLES = _on(PAGE, "bubbles")
    PANEL_ALL = _on(PAGE, "panel_all")  # the side panel's "all indicators" expander
    TABLE = _on(PAGE, "table")  # the value table's expander
    CHART = _on(PAGE, "chart")  # the deck's selection state (not in the URL)


class Flows:
    PAGE = "flows"
    VIEW = _on(PAGE, "view")
    KIND = _on(PAGE, "kind")
    TOP = _on(PAGE, "top")  # regions per side
    NODE = _on(PAGE, "node")  # the drill-down
    TAB = _on(PAGE, "tab")


class Profile:
    PAGE = "profile"
    BENCHMARK = BenchmarkKeys.of(PAGE)
    SINCE = _on(PAGE, "since")
    PEERS = _on(PAGE, "peers")
    TAB = _on(PAGE, "tab")  # the open tab below the stage chart
    TABS = (
        "Specialisation by sector",
        "Regions like this one",
        "Priorities and actors",
        "Projects and funding",
        "Flows in and out",
    )


class Matchmaking:
    PAGE = "matchmaking"
    BENCHMARK = BenchmarkKeys.of(PAGE)
    TOP = _on(PAGE, "top")  # suggestions shown
    MATRIX = _on(PAGE, "matrix")  # regions in the synergy matrix
    PARTNER = _on(PAGE, "partner")
    TAB = _on(PAGE, "tab")  # the open tab below the score bars
    TABS = ("Reasons", "Synergy matrix", "A closer look at one pair, joint investment ideas")

    @staticmethod
    def weight(component: str) -> str:
        """The URL key of one score component's weight slider."""
        return _on(Matchmaking.PAGE, f"w_{component}")


class WorkshopPage:
    PAGE = "workshop"
    PICK = _on(PAGE, "id")  # the workshop being edited


def page_of(key: str) -> str | None:
    """The URL path of the page a URL key belongs to; None for the global filters."""
    return key.split(".", 1)[0] if "." in key else None


# --- cache keys --------------------------------------------------------------------------------------------


def config_key() -> str:
    """Which database the env vars point at: part of every cache key, so two stores never share results."""
    return "|".join(os.environ.get(k, "") for k in ("VALUECHAIN_DB_URL", "VALUECHAIN_DB_PATH"))


def data_key(data: Data) -> str:
    """The cache key of one data bundle (one store at one revision): small, hashable, never the DataFrames."""
    return f"{config_key()}@{data.revision}"
