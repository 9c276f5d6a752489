"""Seeded demo data, so the explorer works before anyone uploads anything.

The definition tables (regions, chains, stages, sectors, their mapping, indicators) are real or hand-written
CSV files in data/; everything else (observations, flows, synthetic actors, priorities, projects) is
generated here from one seed with numpy, so the same seed always gives the same frames and tests and
benchmarks get data of known shape. Nothing about the chains is hard-wired: the generator reads stages and
their NACE divisions from the definition tables, and the sector and region rules below only shape the
numbers so that maps and rankings look plausible (forest regions strong in wood, ports in logistics, …).

All generated values are "demo data (synthetic)": they are not statistics. Only the seven named partner
organisations of the Interreg BSR S3 Ecosystem platform (name, type, seat) are real facts.

Run ``python -m valuechain.demo --out DIR [--seed N] [--level 2|3]`` to write one CSV per table.
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import numpy as np
import pandas as pd

from valuechain import geo, schema
from valuechain import store as store_module
from valuechain.schema import LIST_SEPARATOR, TOTAL_SECTOR

DEMO_DATASET = "Demo data (synthetic)"
DEMO_SEED = 20261125
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFINITION_FILES = {
    "regions": "regions.csv",
    "value_chains": "value_chains.csv",
    "stages": "stages.csv",
    "sectors": "sectors.csv",
    "stage_sectors": "stage_sectors.csv",
    "indicators": "indicators.csv",
}
DEFAULT_YEARS = range(2018, 2024)
# Strongest destinations kept per origin region, transition and kind: a few thousand flows a year at NUTS-2.
DEFAULT_LINKS = {"goods": 3, "knowledge": 2, "investment": 1}
# One unit per flow kind: money for goods and investment, a count of joint R&D/innovation projects
# (what CORDIS or keep.eu partner pairs would give) for knowledge.
FLOW_UNITS = {"goods": "EUR million", "knowledge": "joint projects", "investment": "EUR million"}
DECAY_KM = 600.0  # flows fall to 1/e every 600 km (gravity model)
KNOWLEDGE_EXPONENT = 0.6  # dampens capital regions' huge R&D counts into plausible joint-project numbers


class Scale(TypedDict):
    """Keyword arguments of `generate` that set the size of the data."""

    level: int
    years: Sequence[int]
    links_per_region: Mapping[str, int]


# ~1.0M observations and ~90k flows at NUTS-3: for benchmarks, `generate(**BENCHMARK_NUTS3)`.
BENCHMARK_NUTS3: Scale = {
    "level": 3,
    "years": range(1997, 2024),
    "links_per_region": {"goods": 1, "knowledge": 1, "investment": 0},
}

CAPITAL_REGIONS = frozenset(
    {
        "DK01",
        "EE00",
        "FI1B",
        "LV00",
        "LT01",
        "NO08",
        "PL91",
        "SE11",
        "DE30",
        "DE60",
        "DK011",
        "EE001",
        "FI1B1",
        "LV006",
        "LT011",
        "NO081",
        "PL911",
        "SE110",
        "DE300",
        "DE600",
    }
)
# Fixed economy sizes (persons employed) for tiny regions a lognormal draw would make far too big.
FIXED_SIZE = {"NO0B": 2_500, "NO0B1": 30, "NO0B2": 2_500, "FI20": 15_000, "FI200": 15_000}
UNIVERSITY_REGIONS = frozenset(
    {
        "FI19",
        "FI1D",
        "SE12",
        "SE22",
        "SE23",
        "DK04",
        "DE91",
        "DE92",
        "NO06",
        "PL21",
        "PL51",
        "PL63",
        "EE00",
        "LT01",
        "LV00",
    }
)
LANDLOCKED_REGIONS = frozenset(
    {
        "PL21",
        "PL22",
        "PL41",
        "PL43",
        "PL51",
        "PL52",
        "PL71",
        "PL72",
        "PL81",
        "PL82",
        "PL84",
        "PL91",
        "PL92",
        "DE30",
        "DE40",
        "DE91",
        "DE92",
        "LT01",
        "NO02",
    }
)


@dataclass(frozen=True)
class SectorProfile:
    """Typical share of total employment, firm size, patent and R&D-project intensity, yearly growth."""

    share: float
    firm_size: float  # persons per enterprise
    patents: float  # patent applications per 1000 persons employed and year
    rd: float  # R&D projects per 1000 persons employed and year
    growth: float  # yearly change of the sector's share


DEFAULT_PROFILE = SectorProfile(0.005, 15, 0.2, 0.2, 0.0)
REST_PROFILE = SectorProfile(0.0, 8, 0.12, 0.25, 0.0)  # the economy outside the chains' divisions
SECTOR_PROFILES: dict[str, SectorProfile] = {
    "A01": SectorProfile(0.030, 2.5, 0.02, 0.2, -0.015),
    "A02": SectorProfile(0.004, 3, 0.02, 0.3, -0.005),
    "A03": SectorProfile(0.002, 3, 0.01, 0.3, -0.02),
    "C10": SectorProfile(0.020, 25, 0.12, 0.3, 0.0),
    "C11": SectorProfile(0.002, 20, 0.12, 0.2, 0.005),
    "C16": SectorProfile(0.006, 12, 0.12, 0.3, 0.0),
    "C17": SectorProfile(0.004, 90, 0.6, 0.6, -0.015),
    "C20": SectorProfile(0.005, 45, 2.4, 1.2, 0.005),
    "C22": SectorProfile(0.007, 30, 1.0, 0.4, 0.01),
    "C23": SectorProfile(0.006, 20, 0.4, 0.3, 0.0),
    "C24": SectorProfile(0.004, 90, 0.8, 0.6, -0.01),
    "C25": SectorProfile(0.015, 12, 0.5, 0.2, 0.005),
    "C27": SectorProfile(0.005, 50, 2.4, 0.8, 0.015),
    "C28": SectorProfile(0.012, 40, 2.0, 0.6, 0.01),
    "C30": SectorProfile(0.003, 60, 0.8, 0.8, 0.005),
    "C31": SectorProfile(0.005, 12, 0.2, 0.2, -0.005),
    "C33": SectorProfile(0.006, 10, 0.12, 0.1, 0.015),
    "D35": SectorProfile(0.006, 30, 0.6, 1.0, 0.01),
    "E37": SectorProfile(0.001, 20, 0.2, 0.5, 0.005),
    "E38": SectorProfile(0.005, 25, 0.2, 0.6, 0.02),
    "E39": SectorProfile(0.0005, 15, 0.12, 0.5, 0.02),
    "F41": SectorProfile(0.025, 6, 0.02, 0.05, 0.01),
    "F42": SectorProfile(0.008, 15, 0.04, 0.1, 0.02),
    "G46": SectorProfile(0.040, 9, 0.08, 0.05, 0.005),
    "H50": SectorProfile(0.002, 15, 0.04, 0.3, 0.0),
    "H52": SectorProfile(0.012, 20, 0.04, 0.1, 0.015),
    "M71": SectorProfile(0.015, 6, 0.3, 0.8, 0.02),
    "M72": SectorProfile(0.006, 12, 3.2, 8.0, 0.03),
}

# Log-multipliers of sector shares: the specialisation a reader of the map expects to see.
COUNTRY_TRAITS: dict[str, dict[str, float]] = {
    "PL": {"A01": 0.6, "C10": 0.4, "C20": 0.3, "C22": 0.5, "C31": 0.8, "C25": 0.3, "C23": 0.3},
    "DK": {"A01": 0.4, "C10": 0.6, "A03": 0.6, "C27": 0.4, "C28": 0.5, "D35": 0.2, "H50": 0.6},
    "LT": {"A01": 0.6, "C10": 0.4, "C31": 0.6, "C16": 0.3, "H52": 0.3},
    "LV": {"A02": 0.7, "C16": 0.9, "A01": 0.2, "H52": 0.5},
    "EE": {"A02": 0.6, "C16": 0.8, "C31": 0.3},
    "FI": {"A02": 0.5, "C16": 0.4, "C17": 0.9, "C20": 0.2, "C28": 0.3, "M72": 0.2},
    "SE": {"A02": 0.5, "C16": 0.4, "C17": 0.8, "C24": 0.3, "C28": 0.3, "M72": 0.3},
    "NO": {"A03": 1.8, "A01": -0.4, "D35": 0.6, "C24": 0.3, "H50": 1.0, "C30": 0.5, "F42": 0.3},
    "DE": {"C20": 0.5, "C28": 0.4, "C27": 0.4, "C22": 0.3, "C25": 0.3, "C24": 0.2},
}
REGION_TRAITS: dict[str, dict[str, float]] = {  # by NUTS-2 code, inherited by its NUTS-3 regions
    "DK03": {"C28": 1.2, "C27": 0.6, "C25": 0.5, "H52": 0.6},  # turbine makers, Esbjerg port
    "DK04": {"C28": 1.2, "C27": 0.6},
    "DE94": {"C28": 0.6, "C30": 1.0, "A01": 0.5, "C10": 0.6, "H52": 0.4},  # Emden, Papenburg, farming
    "DE93": {"C28": 0.4, "H52": 0.5, "A01": 0.3},  # Cuxhaven
    "DEF0": {"C28": 0.4, "C30": 0.6, "A01": 0.3, "H52": 0.4},
    "DE50": {"C24": 1.0, "H52": 1.2, "C30": 0.5},  # Bremen steel and ports
    "DE60": {"H52": 1.2, "C30": 0.5, "C24": 0.4, "G46": 0.4, "M71": 0.3},  # Hamburg
    "DE80": {"A01": 0.5, "C30": 0.8, "C10": 0.3},
    "DE40": {"A01": 0.5, "C16": 0.3, "C24": 0.4},
    "DE91": {"C24": 0.9},  # Salzgitter
    "FI1D": {"C24": 1.0, "A02": 0.4, "C17": 0.3},  # Raahe steel
    "FI1C": {"C30": 0.9, "C17": 0.4},  # Turku shipyard, Kymenlaakso paper
    "FI19": {"C30": 0.5, "C28": 0.4, "C17": 0.3, "C24": 0.3},
    "FI20": {"A03": 1.5, "H50": 2.0, "A02": -1.0},  # Åland shipping
    "SE33": {"C24": 0.9, "A02": 0.3, "D35": 0.5},  # Luleå steel, hydropower
    "SE32": {"C17": 0.5, "D35": 0.4},
    "SE31": {"C24": 0.7, "C17": 0.5},
    "SE21": {"C31": 1.0, "C16": 0.5},  # Småland furniture
    "SE23": {"C30": 0.3, "H52": 0.6, "C20": 0.4},  # Gothenburg, Stenungsund
    "SE22": {"C10": 0.4, "A01": 0.6},
    "PL22": {"C24": 1.2, "C25": 0.5, "A01": -0.5},  # Silesian steel
    "PL63": {"C30": 1.2, "H52": 0.8, "H50": 0.5, "A03": 0.5},  # Gdańsk
    "PL42": {"C30": 0.8, "H52": 0.6, "A03": 0.5, "C20": 0.4},  # Szczecin, Police
    "PL41": {"A01": 0.4, "C10": 0.5, "C31": 0.5},
    "PL84": {"A01": 0.6, "C10": 0.5},
    "PL62": {"C16": 0.4, "C31": 0.6},
    "LT02": {"H52": 0.6, "C20": 0.4, "C16": 0.3},  # Klaipėda, fertilisers
    "NO06": {"A03": 0.4, "M72": 0.4, "M71": 0.4},
    "NO0A": {"C30": 1.0, "H50": 0.6, "C24": 0.5, "F42": 0.4},
    "NO09": {"C30": 0.5, "C24": 0.4, "H50": 0.4},
    "NO02": {"A02": 0.8, "C16": 0.8},
    "NO0B": {"A03": 1.0, "A01": -3.0, "A02": -4.0, "C16": -2.0, "C17": -3.0, "C31": -2.0},  # Arctic islands
}
CAPITAL_TRAITS = {
    "A01": -2.0,
    "A02": -2.0,
    "A03": -1.0,
    "C16": -0.8,
    "C17": -1.0,
    "C24": -0.8,
    "C10": -0.3,
    "M72": 1.0,
    "M71": 0.6,
    "G46": 0.6,
    "H52": 0.2,
    "D35": 0.2,
}
LANDLOCKED_TRAITS = {"A03": -1.5, "H50": -1.5, "C30": -1.0, "H52": -0.3}
FOREST_TRAITS = {"A02": 0.9, "C16": 0.7, "C17": 0.5, "A01": -0.4}  # times the latitude term

INNOVATION = {"DE": 1.3, "DK": 1.3, "SE": 1.5, "FI": 1.4, "NO": 1.0, "EE": 0.7, "LT": 0.5, "LV": 0.4, "PL": 0.35}
WEALTH = {"NO": 1.6, "DK": 1.4, "SE": 1.3, "DE": 1.2, "FI": 1.2, "EE": 0.6, "LT": 0.5, "LV": 0.45, "PL": 0.45}
# Cohesion-policy money per person employed and year (EUR): higher where regions are less developed.
COHESION_EUR = {"PL": 250, "LT": 280, "LV": 280, "EE": 300, "DE": 25, "DK": 15, "FI": 40, "SE": 20, "NO": 5}
COHESION_REGION_EUR = {"DE30": 60, "DE40": 100, "DE80": 100, "FI1D": 80, "SE33": 60}
GRANT_EUR = 300_000  # average EU contribution per R&D project participation

FOS_FIELDS = {
    "1.4": "Chemical sciences",
    "1.6": "Biological sciences",
    "2.1": "Civil engineering",
    "2.2": "Electrical engineering, electronic engineering, information engineering",
    "2.3": "Mechanical engineering",
    "2.4": "Chemical engineering",
    "2.5": "Materials engineering",
    "2.7": "Environmental engineering",
    "2.8": "Environmental biotechnology",
    "2.9": "Industrial biotechnology",
    "2.11": "Other engineering and technologies",
    "4.1": "Agriculture, forestry, and fisheries",
    "5.2": "Economics and business",
}
SECTOR_FOS = {
    "A01": "4.1",
    "A02": "4.1",
    "A03": "4.1",
    "C10": "2.11",
    "C11": "2.11",
    "C16": "2.5",
    "C17": "2.5",
    "C20": "2.4",
    "C22": "2.5",
    "C31": "2.5",
    "M72": "2.9",
    "F41": "2.1",
    "G46": "5.2",
    "E37": "2.8",
    "E38": "2.7",
    "E39": "2.7",
    "D35": "2.7",
    "C23": "2.5",
    "C24": "2.5",
    "C25": "2.3",
    "C27": "2.2",
    "C28": "2.3",
    "C30": "2.3",
    "F42": "2.1",
    "H50": "2.7",
    "H52": "2.1",
    "M71": "2.1",
    "C33": "2.3",
}
POLICY_LABELS = {
    "circular-economy": "Circular economy",
    "bioeconomy": "Sustainable bioeconomy",
    "energy-transition": "Clean energy transition",
    "blue-economy": "Blue economy",
    "green-transition": "Green transition of industry",
}
CHAIN_POLICIES = {
    "circular_bioeconomy": ("circular-economy", "bioeconomy"),
    "offshore_wind": ("energy-transition", "blue-economy"),
}

# Words for synthetic actor names and competences, by stage; unknown stages fall back to the stage name.
STAGE_BUSINESS = {
    "biomass_supply": ("forest owners' cooperative", "farm cooperative", "aquaculture company"),
    "processing": ("sawmill", "pulp mill", "food processor"),
    "bio_products": ("biorefinery", "bio-based packaging maker", "furniture maker"),
    "use": ("timber builder", "wholesaler"),
    "end_of_life": ("biogas plant", "recycling company", "combined heat and power plant"),
    "materials_components": ("steel works", "tower fabricator", "foundry"),
    "equipment": ("turbine maker", "cable maker", "shipyard"),
    "installation": ("port operator", "offshore contractor", "engineering consultancy"),
    "operation_grid": ("wind farm operator", "service company", "grid operator"),
    "decommissioning": ("dismantling company", "blade recycler"),
}
STAGE_COMPETENCES = {
    "biomass_supply": ("sustainable forest management", "precision farming", "aquaculture feed from side streams"),
    "processing": ("side-stream valorisation", "sawmill process optimisation", "pulping and fibre engineering"),
    "bio_products": ("lignin and bio-chemicals", "bio-based packaging", "wood-based textile fibres"),
    "use": ("industrial timber construction", "bio-based product marketing"),
    "end_of_life": ("nutrient recovery", "biogas and digestate", "paper and fibre recycling"),
    "materials_components": ("heavy steel plate", "monopile fabrication", "composite materials"),
    "equipment": ("drivetrain design", "subsea cables", "vessel design"),
    "installation": ("port logistics", "offshore foundations", "site surveys"),
    "operation_grid": ("predictive maintenance", "grid integration", "offshore service logistics"),
    "decommissioning": ("blade recycling", "seabed restoration"),
}
HELIX_WORDS = {
    "research": ("university", "research institute", "university of applied sciences"),
    "public": ("regional council", "development agency", "innovation agency"),
    "civil_society": ("cluster association", "environmental NGO", "energy cooperative"),
}
PROJECT_TOPICS = {
    "biomass_supply": ("Sustainable biomass mobilisation", "Forest residues for biorefining", "Blue biomass"),
    "processing": ("Side-stream valorisation", "Smart sawmills", "Food industry side streams"),
    "bio_products": ("Bio-based packaging", "Lignin value chain pilot", "Wood-based textiles"),
    "use": ("Timber construction alliance", "Green public procurement of bio-based products"),
    "end_of_life": ("Nutrient recycling", "Biogas for regional energy", "Fibre recycling"),
    "materials_components": ("Green steel for offshore wind", "Monopile supply chain"),
    "equipment": ("Next-generation drivetrains", "Subsea cable competence"),
    "installation": ("Port readiness for offshore wind", "Offshore installation skills"),
    "operation_grid": ("Digital twins for wind farm operation", "Offshore grid integration"),
    "decommissioning": ("Blade recycling", "Decommissioning roadmap"),
}


@dataclass(frozen=True)
class Programme:
    """A funding programme: how likely, which start years, how long, how big, how public."""

    name: str
    weight: float
    starts: tuple[int, ...]
    years: tuple[int, int]  # duration range in years, inclusive
    budget: tuple[float, float]  # EUR
    public_share: tuple[float, float]
    national: bool  # partners from one country only


PROGRAMMES = (
    Programme(
        "Interreg Baltic Sea Region",
        0.35,
        (2016, 2017, 2018, 2019, 2022, 2023, 2024),
        (2, 3),
        (1_500_000, 4_000_000),
        (0.8, 1.0),
        False,
    ),
    Programme("Horizon 2020", 0.12, tuple(range(2015, 2021)), (3, 4), (2_000_000, 9_000_000), (0.7, 1.0), False),
    Programme("Horizon Europe", 0.18, tuple(range(2021, 2025)), (3, 4), (2_000_000, 10_000_000), (0.7, 1.0), False),
    Programme("ERDF regional programme", 0.2, tuple(range(2014, 2025)), (2, 3), (300_000, 3_000_000), (0.4, 0.8), True),
    Programme(
        "National innovation funding", 0.15, tuple(range(2014, 2026)), (1, 3), (100_000, 1_500_000), (0.3, 0.7), True
    ),
)

# The partners of the Interreg BSR S3 Ecosystem platform: real organisations, seats at NUTS-3 (truncated
# to the generated level). Chain, stages and competences are illustrative and marked "(demo)".
REAL_PARTNERS: tuple[dict[str, str | None], ...] = (
    {
        "actor_id": "region-vasterbotten",
        "name": "Region Västerbotten",
        "type": "public",
        "nuts3": "SE331",
        "chain_id": "circular_bioeconomy",
        "stages": "biomass_supply;processing",
        "competences": "Regional development and smart specialisation for the forest-based bioeconomy (demo)",
        "website": "https://www.regionvasterbotten.se",
    },
    {
        "actor_id": "baltic-institute-of-finland",
        "name": "Baltic Institute of Finland",
        "type": "research",
        "nuts3": "FI197",
        "chain_id": None,
        "stages": None,
        "competences": "Baltic Sea Region cooperation and international project development (demo)",
        "website": "https://www.baltic.org",
    },
    {
        "actor_id": "aalto-university",
        "name": "Aalto University",
        "type": "research",
        "nuts3": "FI1B1",
        "chain_id": "circular_bioeconomy",
        "stages": "processing;bio_products",
        "competences": "Wood-based materials, textile fibres and biorefining research (demo)",
        "website": "https://www.aalto.fi",
    },
    {
        "actor_id": "lab-university",
        "name": "LAB University of Applied Sciences",
        "type": "research",
        "nuts3": "FI1C3",
        "chain_id": "circular_bioeconomy",
        "stages": "use;end_of_life",
        "competences": "Circular economy, material recovery and business models (demo)",
        "website": "https://lab.fi",
    },
    {
        "actor_id": "hwwi",
        "name": "Hamburg Institute of International Economics (HWWI)",
        "type": "research",
        "nuts3": "DE600",
        "chain_id": None,
        "stages": None,
        "competences": "Regional economic analysis and value-chain studies (demo)",
        "website": "https://www.hwwi.org",
    },
    {
        "actor_id": "mita",
        "name": "Lithuanian Agency for Science, Innovation and Technology (MITA)",
        "type": "public",
        "nuts3": "LT011",
        "chain_id": None,
        "stages": None,
        "competences": "Innovation support and smart-specialisation programmes (demo)",
        "website": "https://mita.lrv.lt",
    },
    {
        "actor_id": "trondelag-county",
        "name": "Trøndelag County Council",
        "type": "public",
        "nuts3": "NO060",
        "chain_id": "circular_bioeconomy",
        "stages": "biomass_supply;processing",
        "competences": "Regional development for the forest and ocean bioeconomy (demo)",
        "website": "https://www.trondelagfylke.no",
    },
)


def source_text(seed: int) -> str:
    """The `source` of every generated row: says it is synthetic and how to regenerate it."""
    return f"demo data (synthetic), generator valuechain.demo seed {seed}"


def load_definitions(data_dir: Path = DATA_DIR) -> dict[str, pd.DataFrame]:
    """The hand-written definition tables and the NUTS regions, coerced to their schema types.

    Read as text first so codes like "NO0A" or "DE30" are never taken for numbers.
    """
    frames = {}
    for name, file in DEFINITION_FILES.items():
        raw = pd.read_csv(Path(data_dir) / file, dtype=str, keep_default_na=False)
        frames[name] = schema.coerce(raw, schema.TABLES[name])
    return frames


@dataclass
class _Economy:
    """Generated observations as arrays [region, sector, year], plus what flows and actors need."""

    ids: list[str]
    country: np.ndarray
    names: list[str]
    lon: np.ndarray
    lat: np.ndarray
    sectors: list[str]  # chain sectors, TOTAL excluded
    years: np.ndarray
    values: dict[str, np.ndarray]  # indicator → [region, sector + TOTAL as last, year]
    wealth: np.ndarray
    research: np.ndarray


def generate(
    seed: int = DEMO_SEED,
    *,
    level: int = 2,
    years: Sequence[int] = DEFAULT_YEARS,
    links_per_region: Mapping[str, int] | None = None,
    n_projects: int = 150,
    definitions: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every table of schema.LOAD_ORDER: definitions from data/ plus synthetic values from `seed`.

    Observations cover the programme-area regions at `level` for every division used by a chain plus
    TOTAL, every indicator and year. `links_per_region` sets how many destinations each origin keeps per
    stage transition and flow kind (see DEFAULT_LINKS); BENCHMARK_NUTS3 gives ~1M observations.
    """
    rng = np.random.default_rng(seed)
    defs = {k: v.copy() for k, v in (definitions or load_definitions()).items()}
    years_arr = np.asarray(list(years), dtype=int)
    if years_arr.size == 0:
        raise ValueError("years must not be empty")
    links = dict(DEFAULT_LINKS if links_per_region is None else links_per_region)
    regions = defs["regions"]
    chosen = regions[(regions["level"] == level) & regions["bsr"].fillna(False).astype(bool)]
    chosen = chosen.sort_values("nuts_id").reset_index(drop=True)
    if chosen.empty:
        raise ValueError(f"no programme-area regions at NUTS level {level}")
    sectors = sorted(set(defs["stage_sectors"]["nace"].dropna()) - {TOTAL_SECTOR})
    source = source_text(seed)

    eco = _economy(rng, chosen, sectors, years_arr, level)
    out = {name: defs[name] for name in DEFINITION_FILES}
    out["observations"] = _observations(rng, eco, defs["indicators"], source)
    out["flows"] = _flows(rng, eco, defs["stages"], defs["stage_sectors"], links, level, source)
    out["actors"] = _actors(rng, eco, defs["stages"], defs["stage_sectors"], level)
    out["priorities"] = _priorities(rng, eco, defs["sectors"], defs["stage_sectors"], defs["value_chains"])
    out["projects"] = _projects(rng, eco, defs["stages"], defs["stage_sectors"], out["actors"], n_projects, source)
    return {name: schema.coerce(out[name].reset_index(drop=True), schema.TABLES[name]) for name in schema.LOAD_ORDER}


# --- observations ------------------------------------------------------------------------------------
def _traits(code: str, country: str, lat: float, capital: bool) -> dict[str, float]:
    """Log-multipliers of sector shares for one region from its country, NUTS-2 region and latitude."""
    out: dict[str, float] = {}

    def add(traits: Mapping[str, float], weight: float = 1.0) -> None:
        for nace, v in traits.items():
            out[nace] = out.get(nace, 0.0) + weight * v

    add(COUNTRY_TRAITS.get(country, {}))
    add(REGION_TRAITS.get(code[:4], {}))
    add(FOREST_TRAITS, float(np.clip((lat - 54.0) / 8.0, 0.0, 1.2)))
    if capital:
        add(CAPITAL_TRAITS)
    if code[:4] in LANDLOCKED_REGIONS:
        add(LANDLOCKED_TRAITS)
    if code[:4] in UNIVERSITY_REGIONS:
        add({"M72": 0.4, "M71": 0.2})
    return out


def _economy(
    rng: np.random.Generator, regions: pd.DataFrame, sectors: list[str], years: np.ndarray, level: int
) -> _Economy:
    """Employment by region, sector and year, and the other indicators derived from it with noise."""
    ids = regions["nuts_id"].astype(str).tolist()
    country = regions["country"].astype(str).to_numpy()
    lon = regions["lon"].astype(float).fillna(0).to_numpy()
    lat = regions["lat"].astype(float).fillna(0).to_numpy()
    capital = np.array([c in CAPITAL_REGIONS for c in ids])
    n_r, n_s, n_t = len(ids), len(sectors), len(years)
    t = (years - years[0]).astype(float)

    median = 650_000 * 4.5 ** (2 - level)
    size = median * np.exp(rng.normal(0, 0.45, n_r)) * np.where(capital, 2.2, 1.0)
    size = np.array([FIXED_SIZE.get(c, s) for c, s in zip(ids, size, strict=True)])

    profiles = [SECTOR_PROFILES.get(s, DEFAULT_PROFILE) for s in sectors]
    base_share = np.array([p.share for p in profiles])
    log_mult = np.zeros((n_r, n_s))
    for i, code in enumerate(ids):
        traits = _traits(code, country[i], lat[i], bool(capital[i]))
        log_mult[i] = [traits.get(s, 0.0) for s in sectors]
    share = base_share * np.exp(log_mult + rng.normal(0, 0.35, (n_r, n_s)))

    g_total = rng.normal(0.007, 0.006, n_r)
    walk_total = np.cumsum(np.concatenate([np.zeros((n_r, 1)), rng.normal(0, 0.006, (n_r, n_t - 1))], axis=1), 1)
    total = size[:, None] * np.exp(g_total[:, None] * t + walk_total)  # [r, t]
    growth = np.array([p.growth for p in profiles]) + rng.normal(0, 0.008, (n_r, n_s))
    steps = np.concatenate([np.zeros((n_r, n_s, 1)), rng.normal(0, 0.015, (n_r, n_s, n_t - 1))], axis=2)
    share_t = share[:, :, None] * np.exp(growth[:, :, None] * t + np.cumsum(steps, axis=2))
    over = share_t.sum(axis=1, keepdims=True) / 0.85  # chains never take more than 85 % of the economy
    share_t = share_t / np.maximum(over, 1.0)
    emp = np.rint(total[:, None, :] * share_t)
    emp_rest = np.maximum(np.rint(total - emp.sum(axis=1)), 0)

    firm = np.array([p.firm_size for p in profiles])[None, :, None] * np.exp(rng.normal(0, 0.2, (n_r, n_s, 1)))
    ent = np.where(emp > 0, np.maximum(np.rint(emp / firm), 1), 0)
    ent_rest = np.rint(emp_rest / REST_PROFILE.firm_size * np.exp(rng.normal(0, 0.1, (n_r, 1))))

    inno = np.array([INNOVATION.get(c, 1.0) for c in country]) * np.where(capital, 1.8, 1.0)
    inno *= np.where([c[:4] in UNIVERSITY_REGIONS for c in ids], 1.3, 1.0) * np.exp(rng.normal(0, 0.3, n_r))
    research = inno * np.exp(rng.normal(0, 0.25, n_r))
    year_noise = np.exp(rng.normal(0, 0.08, (n_r, 1, n_t)))
    pat_int = np.array([p.patents for p in profiles])[None, :, None]
    rd_int = np.array([p.rd for p in profiles])[None, :, None]
    pat = rng.poisson(emp / 1000 * pat_int * inno[:, None, None] * year_noise).astype(float)
    pat_rest = rng.poisson(emp_rest / 1000 * REST_PROFILE.patents * inno[:, None]).astype(float)
    rd = rng.poisson(emp / 1000 * rd_int * research[:, None, None] * year_noise).astype(float)
    rd_rest = rng.poisson(emp_rest / 1000 * REST_PROFILE.rd * research[:, None]).astype(float)

    cohesion = np.array(
        [COHESION_REGION_EUR.get(c[:4], COHESION_EUR.get(k, 20)) for c, k in zip(ids, country, strict=True)]
    )
    grant = GRANT_EUR * np.exp(rng.normal(0, 0.3, (n_r, n_s, 1)))
    coh_noise = np.exp(rng.normal(0, 0.3, (n_r, n_s, 1)) + rng.normal(0, 0.1, (n_r, 1, n_t)))
    fund = np.rint((rd * grant + emp * cohesion[:, None, None] * coh_noise) / 1000) * 1000
    fund_rest = np.rint((rd_rest * GRANT_EUR + emp_rest * cohesion[:, None]) / 1000) * 1000

    def with_total(parts: np.ndarray, rest: np.ndarray) -> np.ndarray:
        """Append TOTAL as the last sector: the sectors plus the rest, so TOTAL ≥ their sum."""
        return np.concatenate([parts, (parts.sum(axis=1) + rest)[:, None, :]], axis=1)

    values = {
        "employment": with_total(emp, emp_rest),
        "enterprises": with_total(ent, ent_rest),
        "patents": with_total(pat, pat_rest),
        "rd_projects": with_total(rd, rd_rest),
        "eu_funding": with_total(fund, fund_rest),
    }
    wealth = np.array([WEALTH.get(c, 1.0) for c in country]) * np.where(capital, 1.5, 1.0)
    return _Economy(
        ids, country, regions["name"].astype(str).tolist(), lon, lat, sectors, years, values, wealth, research
    )


def _indicator_values(eco: _Economy, indicator: str) -> np.ndarray:
    """Values of an indicator the generator knows, or a plausible stand-in for one added to indicators.csv."""
    if indicator in eco.values:
        return eco.values[indicator]
    return np.rint(eco.values["employment"] / 100)


def _observations(rng: np.random.Generator, eco: _Economy, indicators: pd.DataFrame, source: str) -> pd.DataFrame:
    """One row per region, sector (chain divisions and TOTAL), indicator and year."""
    ind_ids = indicators["indicator_id"].astype(str).tolist()
    units = indicators["unit"].astype(str).tolist()
    sectors = [*eco.sectors, TOTAL_SECTOR]
    n_r, n_s, n_i, n_t = len(eco.ids), len(sectors), len(ind_ids), len(eco.years)
    # [region, sector, indicator, year], flattened in that order
    cube = np.stack([_indicator_values(eco, i) for i in ind_ids], axis=2)
    n = cube.size
    flag = np.full(n, None, dtype=object)
    last = np.tile(eco.years == eco.years[-1], n // n_t)
    flag[last & (rng.random(n) < 0.1)] = "p"
    frame = pd.DataFrame(
        {
            "region_id": np.repeat(np.array(eco.ids, dtype=object), n_s * n_i * n_t),
            "sector": np.tile(np.repeat(np.array(sectors, dtype=object), n_i * n_t), n_r),
            "indicator": np.tile(np.repeat(np.array(ind_ids, dtype=object), n_t), n_r * n_s),
            "year": np.tile(eco.years, n_r * n_s * n_i),
            "value": cube.reshape(-1),
            "unit": np.tile(np.repeat(np.array(units, dtype=object), n_t), n_r * n_s),
            "source": source,
            "flag": flag,
        }
    )
    return frame


# --- flows -------------------------------------------------------------------------------------------
def _stage_members(stage_sectors: pd.DataFrame, chain_id: str, sectors: list[str]) -> dict[str, list[int]]:
    """Sector indices (into the economy's sectors) of each stage of a chain."""
    m = stage_sectors[stage_sectors["chain_id"] == chain_id]
    index = {s: i for i, s in enumerate(sectors)}
    out: dict[str, list[int]] = {}
    for stage, nace in zip(m["stage_id"].astype(str), m["nace"].astype(str), strict=True):
        if nace in index:
            out.setdefault(stage, []).append(index[nace])
    return out


def _ordered_stages(stages: pd.DataFrame, chain_id: str) -> pd.DataFrame:
    return stages[stages["chain_id"] == chain_id].sort_values(["position", "stage_id"]).reset_index(drop=True)


def _transitions(chain_stages: pd.DataFrame) -> list[tuple[str, str]]:
    """Stage to next stage, plus every loop from a stage to its feeds_back_to stage."""
    ids = chain_stages["stage_id"].astype(str).tolist()
    pairs = list(itertools.pairwise(ids))
    for stage, back in zip(ids, chain_stages["feeds_back_to"], strict=True):
        if isinstance(back, str) and back in ids and (stage, back) not in pairs:
            pairs.append((stage, back))
    return pairs


def _stage_sum(eco: _Economy, indicator: str, members: list[int]) -> np.ndarray:
    """An indicator summed over a stage's divisions: [region, year]."""
    if not members:
        return np.zeros((len(eco.ids), len(eco.years)))
    return eco.values[indicator][:, members, :].sum(axis=1)


def _flows(
    rng: np.random.Generator,
    eco: _Economy,
    stages: pd.DataFrame,
    stage_sectors: pd.DataFrame,
    links: Mapping[str, int],
    level: int,
    source: str,
) -> pd.DataFrame:
    """Gravity-model flows between regions strong in one stage and regions strong in the next.

    value ∝ capacity(origin, stage) × capacity(destination, next stage) × exp(-distance / DECAY_KM) × noise;
    each origin keeps its strongest destinations (which may be itself: within-region flows).
    """
    n_r = len(eco.ids)
    dist = geo.distance_matrix_km(eco.lon, eco.lat)
    np.fill_diagonal(dist, 50.0 if level <= 2 else 25.0)  # typical distance inside a region
    decay = np.exp(-dist / DECAY_KM)
    ids = np.array(eco.ids, dtype=object)
    frames = []
    for chain_id in sorted(stages["chain_id"].dropna().astype(str).unique()):
        chain_stages = _ordered_stages(stages, chain_id)
        members = _stage_members(stage_sectors, chain_id, eco.sectors)
        for from_stage, to_stage in _transitions(chain_stages):
            emp_from = _stage_sum(eco, "employment", members.get(from_stage, []))
            emp_to = _stage_sum(eco, "employment", members.get(to_stage, []))
            know_from = _stage_sum(eco, "patents", members.get(from_stage, [])) + _stage_sum(
                eco, "rd_projects", members.get(from_stage, [])
            )
            kinds = {
                # kind: (origin capacity, destination capacity, scale)
                "goods": (emp_from, emp_to, 0.03),
                "knowledge": (know_from, emp_to * eco.research[:, None], 2.0),
                "investment": (emp_from * eco.wealth[:, None], emp_to / np.sqrt(eco.wealth)[:, None], 0.01),
            }
            for kind, (src, dst, scale) in kinds.items():
                affinity = np.exp(rng.normal(0, 0.5, (n_r, n_r)))  # drawn always: seeds stay comparable
                k = min(int(links.get(kind, 0)), n_r)
                if k <= 0:
                    continue
                frames.append(
                    _links(
                        ids,
                        src,
                        dst,
                        decay * affinity,
                        scale,
                        k,
                        kind,
                        rng,
                        eco.years,
                        (chain_id, from_stage, to_stage),
                    )
                )
    cols = schema.FLOWS.column_names
    if not frames:
        return pd.DataFrame(columns=cols)
    flows = pd.concat(frames, ignore_index=True)
    flows["source"] = source
    return flows[cols]


def _links(
    ids: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray,
    scale: float,
    k: int,
    kind: str,
    rng: np.random.Generator,
    years: np.ndarray,
    key: tuple[str, str, str],
) -> pd.DataFrame:
    """The k strongest destinations of every origin for one transition and kind, valued for every year."""
    base = src[:, :1] * dst[None, :, 0] * weight
    base[src[:, 0] <= 0, :] = 0
    top = np.argpartition(-base, k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(len(ids)), k)
    cols = top.reshape(-1)
    keep = base[rows, cols] > 0
    rows, cols = rows[keep], cols[keep]
    n_t = len(years)
    dst_total = np.maximum(dst.sum(axis=0), 1e-9)  # [t]
    noise = np.exp(rng.normal(0, 0.05, (len(rows), n_t)))
    mass = src[rows] * dst[cols] / dst_total  # [link, t]
    if kind == "knowledge":  # counts of joint projects grow less than proportionally with the regions' R&D
        mass = mass**KNOWLEDGE_EXPONENT
    value = scale * mass * weight[rows, cols][:, None] * noise
    value = np.rint(value) if kind == "knowledge" else np.round(value, 2)
    chain_id, from_stage, to_stage = key
    frame = pd.DataFrame(
        {
            "chain_id": chain_id,
            "from_region": np.repeat(ids[rows], n_t),
            "from_stage": from_stage,
            "to_region": np.repeat(ids[cols], n_t),
            "to_stage": to_stage,
            "year": np.tile(years, len(rows)),
            "kind": kind,
            "value": value.reshape(-1),
            "unit": FLOW_UNITS[kind],
        }
    )
    return frame[frame["value"] > 0]


# --- actors, priorities, projects -------------------------------------------------------------------
def _location_quotients(eco: _Economy) -> np.ndarray:
    """Employment location quotients [region, sector] in the last year (1 = programme-area average)."""
    emp = eco.values["employment"][:, :, -1]
    share = emp[:, :-1] / np.maximum(emp[:, -1:], 1)
    overall = emp[:, :-1].sum(axis=0) / max(emp[:, -1].sum(), 1)
    return share / np.maximum(overall, 1e-12)


def _stage_strength(eco: _Economy, members: Mapping[str, list[int]], stage_ids: list[str]) -> np.ndarray:
    """How specialised each region is in each stage: [region, stage] employment location quotient."""
    emp = eco.values["employment"][:, :, -1]
    total = np.maximum(emp[:, -1], 1)
    out = np.zeros((len(eco.ids), len(stage_ids)))
    for j, stage in enumerate(stage_ids):
        idx = members.get(stage, [])
        if idx:
            share = emp[:, idx].sum(axis=1) / total
            out[:, j] = share / max(share.mean(), 1e-12)
    return out


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return str(options[int(rng.integers(len(options)))])


def _actors(
    rng: np.random.Generator, eco: _Economy, stages: pd.DataFrame, stage_sectors: pd.DataFrame, level: int
) -> pd.DataFrame:
    """The seven real S3 Ecosystem partners, then 2–6 synthetic actors per region of all helix types."""
    present = set(eco.ids)
    chain_ids = sorted(stages["chain_id"].dropna().astype(str).unique())
    rows: list[dict[str, object]] = []
    for partner in REAL_PARTNERS:
        region = str(partner["nuts3"])[: 2 + level]
        if region not in present:
            continue
        row = {k: v for k, v in partner.items() if k != "nuts3"}
        if row["chain_id"] not in chain_ids:
            row["chain_id"], row["stages"] = None, None
        elif row["stages"]:  # keep only stages the (possibly edited) chain still has
            valid = set(stages.loc[stages["chain_id"] == row["chain_id"], "stage_id"].astype(str))
            kept = [s for s in str(row["stages"]).split(LIST_SEPARATOR) if s in valid]
            row["stages"] = LIST_SEPARATOR.join(kept) or None
        rows.append({**row, "region_id": region})

    per_chain = {}
    for chain_id in chain_ids:
        chain_stages = _ordered_stages(stages, chain_id)
        stage_ids = chain_stages["stage_id"].astype(str).tolist()
        names = dict(zip(stage_ids, chain_stages["name"].astype(str), strict=True))
        members = _stage_members(stage_sectors, chain_id, eco.sectors)
        per_chain[chain_id] = (stage_ids, names, _stage_strength(eco, members, stage_ids))
    chain_weight = np.stack([per_chain[c][2].mean(axis=1) for c in chain_ids], axis=1) + 0.1 if chain_ids else None

    for i, region in enumerate(eco.ids):
        n = int(rng.integers(2, 7))
        helix = ["business", *rng.permutation(["research", "public", "civil_society"]).tolist()]
        for k in range(1, n + 1):
            kind = helix[(k - 1) % 4]
            chain_id, stage_list, noun, competence = None, None, "company", "regional cooperation"
            if chain_weight is not None:
                p = chain_weight[i] / chain_weight[i].sum()
                chain_id = chain_ids[int(rng.choice(len(chain_ids), p=p))]
                stage_ids, names, strength = per_chain[chain_id]
                sp = strength[i] + 0.05
                sp = sp / sp.sum()
                n_stages = 1 if kind in ("business", "civil_society") else int(rng.integers(1, 3))
                picked = sorted(rng.choice(len(stage_ids), size=min(n_stages, len(stage_ids)), replace=False, p=sp))
                stage_list = [stage_ids[j] for j in picked]
                first = stage_list[0]
                if kind == "business":
                    noun = _pick(rng, STAGE_BUSINESS.get(first, (f"{names[first].lower()} company",)))
                competence = _pick(rng, STAGE_COMPETENCES.get(first, (names[first].lower(),)))
            if kind != "business":
                noun = _pick(rng, HELIX_WORDS[kind])
            rows.append(
                {
                    "actor_id": f"demo-{region.lower()}-{k}",
                    "name": f"Demo {noun} {region}-{k}",
                    "type": kind,
                    "region_id": region,
                    "chain_id": chain_id,
                    "stages": LIST_SEPARATOR.join(stage_list) if stage_list else None,
                    "competences": f"{competence[0].upper()}{competence[1:]} (demo)",
                    "website": None,
                }
            )
    return pd.DataFrame(rows, columns=schema.ACTORS.column_names)


def _priorities(
    rng: np.random.Generator, eco: _Economy, sectors: pd.DataFrame, stage_sectors: pd.DataFrame, chains: pd.DataFrame
) -> pd.DataFrame:
    """2–5 Eye@RIS3-style priorities per region, following its strongest chain divisions."""
    titles = dict(zip(sectors["nace"].astype(str), sectors["name"].astype(str), strict=True))
    chains_of: dict[str, list[str]] = {}
    for chain_id, nace in zip(stage_sectors["chain_id"].astype(str), stage_sectors["nace"].astype(str), strict=True):
        chains_of.setdefault(nace, []).append(chain_id)
    chain_names = dict(zip(chains["chain_id"].astype(str), chains["name"].astype(str), strict=True))
    lq = _location_quotients(eco)
    rows = []
    for i, region in enumerate(eco.ids):
        m = int(rng.integers(2, 6))
        weights = np.nan_to_num(lq[i]) ** 3 + 1e-9
        order = rng.choice(len(eco.sectors), size=min(3, len(eco.sectors)), replace=False, p=weights / weights.sum())
        # one list per dimension, in order of the sampled specialisations; taken round-robin below
        found: dict[str, list[tuple[str, str, str]]] = {"economic": [], "scientific": [], "policy": []}
        for j in order:
            nace = eco.sectors[j]
            title = titles.get(nace, nace)
            found["economic"].append(
                (
                    f"NACE:{nace}",
                    title,
                    f"the region is specialised in {title.lower()} (employment location quotient {lq[i, j]:.1f})",
                )
            )
            fos = SECTOR_FOS.get(nace)
            if fos:
                found["scientific"].append(
                    (f"FOS:{fos}", FOS_FIELDS[fos], f"research field behind the region's {title.lower()}")
                )
            for chain_id in chains_of.get(nace, []):
                for pol in CHAIN_POLICIES.get(chain_id, (re.sub(r"[^a-z0-9]+", "-", chain_id.lower()).strip("-"),)):
                    chain_name = str(chain_names.get(chain_id, chain_id))
                    found["policy"].append(
                        (
                            f"POL:{pol}",
                            POLICY_LABELS.get(pol, chain_name),
                            f"policy objective of the region's {chain_name.lower()} strengths",
                        )
                    )
        ranked = [
            (dim, items[k])
            for k in range(max(len(v) for v in found.values()))
            for dim, items in found.items()
            if k < len(items)
        ]
        seen: set[str] = set()
        for dimension, (code, label, why) in ranked:
            if code in seen or len(seen) == m:
                continue
            seen.add(code)
            rows.append(
                {
                    "region_id": region,
                    "code": code,
                    "dimension": dimension,
                    "label": f"{label} (demo)",
                    "description": f"Synthetic priority for the demo: {why}.",
                }
            )
    return pd.DataFrame(rows, columns=schema.PRIORITIES.column_names)


def _projects(
    rng: np.random.Generator,
    eco: _Economy,
    stages: pd.DataFrame,
    stage_sectors: pd.DataFrame,
    actors: pd.DataFrame,
    n_projects: int,
    source: str,
) -> pd.DataFrame:
    """Synthetic projects: partners near each other and strong in the project's stages are more likely."""
    chain_ids = sorted(stages["chain_id"].dropna().astype(str).unique())
    if not chain_ids or n_projects <= 0:
        return pd.DataFrame(columns=schema.PROJECTS.column_names)
    n_r = len(eco.ids)
    dist = geo.distance_matrix_km(eco.lon, eco.lat)
    info = {}
    for chain_id in chain_ids:
        chain_stages = _ordered_stages(stages, chain_id)
        stage_ids = chain_stages["stage_id"].astype(str).tolist()
        members = _stage_members(stage_sectors, chain_id, eco.sectors)
        info[chain_id] = (stage_ids, _stage_strength(eco, members, stage_ids))
    actors_by_region: dict[str, list[tuple[str, object]]] = {}
    for actor_id, region, chain_id in zip(actors["actor_id"], actors["region_id"], actors["chain_id"], strict=True):
        actors_by_region.setdefault(str(region), []).append((str(actor_id), chain_id))
    research = eco.research / eco.research.mean()
    prog_p = np.array([p.weight for p in PROGRAMMES])
    prog_p = prog_p / prog_p.sum()
    rows = []
    for number in range(1, n_projects + 1):
        chain_id = chain_ids[int(rng.integers(len(chain_ids)))]
        stage_ids, strength = info[chain_id]
        start_at = int(rng.integers(len(stage_ids)))
        span = list(range(start_at, min(start_at + int(rng.integers(1, 4)), len(stage_ids))))
        fit = strength[:, span].mean(axis=1) + 0.1
        programme = PROGRAMMES[int(rng.choice(len(PROGRAMMES), p=prog_p))]
        lead_w = fit * np.sqrt(research)
        lead = int(rng.choice(n_r, p=lead_w / lead_w.sum()))
        same = eco.country == eco.country[lead]
        if programme.national and same.sum() < 2:
            programme = PROGRAMMES[0]  # a one-region country cannot run a multi-region national project
        reach = 2000.0 if programme.name.startswith("Horizon") else 800.0
        w = fit * np.exp(-dist[lead] / reach)
        if programme.national:
            w = np.where(same, w, 0.0)
        elif programme.name.startswith("Interreg"):
            w = np.where(same, 0.3 * w, w)
        w[lead] = 0.0
        n_partners = min(int(rng.integers(2, 7)), int((w > 0).sum()) + 1)
        others = rng.choice(n_r, size=n_partners - 1, replace=False, p=w / w.sum()).tolist()
        partner_idx = [lead, *others]
        partner_regions = [eco.ids[j] for j in partner_idx]
        partner_actors = []
        for region in partner_regions:
            candidates = actors_by_region.get(region, [])
            fitting = [a for a, c in candidates if c == chain_id] or [a for a, _ in candidates]
            if fitting:
                partner_actors.append(_pick(rng, fitting))
        start = int(rng.choice(programme.starts))
        end = min(start + int(rng.integers(programme.years[0], programme.years[1] + 1)), 2027)
        budget = float(np.round(rng.uniform(*programme.budget) * np.sqrt(n_partners / 4) / 1000) * 1000)
        public = float(min(np.round(budget * rng.uniform(*programme.public_share) / 1000) * 1000, budget))
        topic = _pick(rng, PROJECT_TOPICS.get(stage_ids[span[0]], (stage_ids[span[0]].replace("_", " ").capitalize(),)))
        rows.append(
            {
                "project_id": f"demo-{number:03d}",
                "title": f"{topic} – {eco.names[lead]} and partners (demo)",
                "programme": programme.name,
                "budget_eur": budget,
                "public_funding_eur": public,
                "partner_regions": LIST_SEPARATOR.join(partner_regions),
                "partner_actors": LIST_SEPARATOR.join(dict.fromkeys(partner_actors)) or None,
                "chain_id": chain_id,
                "stages": LIST_SEPARATOR.join(stage_ids[j] for j in span),
                "start_year": start,
                "end_year": end,
                "source": source,
            }
        )
    return pd.DataFrame(rows, columns=schema.PROJECTS.column_names)


# --- store and command line ---------------------------------------------------------------------------
def _seed_of(data: Mapping[str, pd.DataFrame]) -> int:
    """The seed written into the generated rows' source, so a stored version says how to regenerate it."""
    obs = data.get("observations")
    if obs is not None and len(obs):
        found = re.search(r"seed (\d+)", str(obs["source"].iloc[0]))
        if found:
            return int(found.group(1))
    return DEMO_SEED


def seed_store(store: store_module.Store, data: Mapping[str, pd.DataFrame] | None = None) -> None:
    """Commit every table as one version of the dataset DEMO_DATASET (the app does this on first start)."""
    data = generate() if data is None else data
    file_name = f"valuechain.demo seed {_seed_of(data)}"
    for name in schema.LOAD_ORDER:
        store.commit_version(
            name, data[name], who=store_module.SYSTEM, dataset=DEMO_DATASET, origin="demo", file_name=file_name
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Write the demo tables as CSV files for inspection (they are regenerated, never committed)."""
    parser = argparse.ArgumentParser(prog="python -m valuechain.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="folder for one CSV file per table")
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--level", type=int, choices=(2, 3), default=2, help="NUTS level of the observations")
    parser.add_argument("--first-year", type=int, default=DEFAULT_YEARS[0])
    parser.add_argument("--last-year", type=int, default=DEFAULT_YEARS[-1])
    args = parser.parse_args(argv)
    data = generate(args.seed, level=args.level, years=range(args.first_year, args.last_year + 1))
    args.out.mkdir(parents=True, exist_ok=True)
    for name, frame in data.items():
        frame.to_csv(args.out / f"{name}.csv", index=False)
        print(f"{name}: {len(frame)} rows")


if __name__ == "__main__":
    main()
