"""Every table of the data model, defined once.

Ingest validates uploads against these definitions, the store derives its DDL from them and the
tests build fixtures from them, so a column is never described in two places. Validation is lazy,
pandera-style: it runs every check and returns all failures as one table an analyst can read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypedDict

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DType = Literal["text", "int", "float", "bool", "timestamp"]

FLOW_KINDS = ("goods", "knowledge", "investment")
ACTOR_TYPES = ("business", "research", "public", "civil_society")
PRIORITY_DIMENSIONS = ("economic", "scientific", "policy")
VERSION_STATUSES = ("current", "superseded", "deleted")
TOTAL_SECTOR = "TOTAL"  # observations over the whole economy, the denominator of location quotients
DATA_TABLES = ("observations", "flows", "actors", "priorities", "projects")  # data, not definitions
LIST_SEPARATOR = ";"  # multi-valued text cells (stages of an actor, partner regions of a project)
# Eurostat's observation flags (https://ec.europa.eu/eurostat/data/database/information): the flag column's letters,
# read by ingest's checks and spelled out where a value is shown.
FLAGS = {
    "b": "break in time series",
    "c": "confidential",
    "d": "definition differs",
    "e": "estimated",
    "f": "forecast",
    "n": "not significant",
    "p": "provisional",
    "r": "revised",
    "s": "Eurostat estimate",
    "u": "low reliability",
    "z": "not applicable",
}


@dataclass(frozen=True)
class Column:
    """One column: its type, whether it must be filled, and the checks its values must pass."""

    name: str
    dtype: DType
    description: str
    example: object = None
    required: bool = True
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    pattern: str | None = None
    references: str | None = None  # "table.column" whose values this column must use
    is_list: bool = False  # LIST_SEPARATOR-separated values, each checked against `references`
    empty_cells: bool = False  # a required column whose cells may be empty: a missing value (NULL) is data too


CheckKind = Literal["nonnegative_if", "same_as_reference", "member_of", "flags"]


@dataclass(frozen=True)
class TableCheck:
    """A rule over more than one column, declared with its table and checked by ingest against the reference rows
    (`reference` = "table.column") that the row's `by` value selects:

    - nonnegative_if: `column` must not be negative where the reference's flag is true (nonnegative indicators);
    - same_as_reference: `column` should equal the reference's value (an observation's unit and its indicator's);
    - member_of: `column` must be one of the reference values that belong to the row's `by` value (a stage of
      the row's value chain: reference "stages.stage_id", looked up by the same-named column);
    - flags: each distinct flag in `column` is named with its meaning (Eurostat's flags)."""

    name: str  # the check's name in the report
    kind: CheckKind
    column: str
    by: str | None = None
    reference: str | None = None
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class Table:
    """A table of the data model; `versioned` rows belong to a dataset version (see store); `checks` are its
    rules over several columns, beyond each column's own."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    versioned: bool = True
    uploadable: bool = True
    checks: tuple[TableCheck, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()  # further UNIQUE constraints (unversioned tables)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


NUTS_PATTERN = r"^[A-Z]{2}[0-9A-Z]{0,3}$"
ID_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"


class _Bounds(TypedDict):
    min: float
    max: float


YEAR: _Bounds = {"min": 1990, "max": 2100}

REGIONS = Table(
    "regions",
    "Regions",
    "NUTS 2021 regions, levels 0–3, with their parent and the Interreg BSR programme-area flag.",
    (
        Column("nuts_id", "text", "NUTS 2021 code", "SE33", pattern=NUTS_PATTERN),
        Column("name", "text", "Name in Latin script", "Övre Norrland"),
        Column("country", "text", "ISO country code as used by NUTS", "SE", pattern=r"^[A-Z]{2}$"),
        Column("level", "int", "NUTS level, 0 (country) to 3", 2, min=0, max=3),
        Column("parent_id", "text", "Code of the region one level up", "SE3", required=False),
        Column("bsr", "bool", "Inside the Interreg BSR 2021–2027 programme area", True),
        Column("lon", "float", "Label point longitude, WGS84", 18.95, required=False, min=-180, max=180),
        Column("lat", "float", "Label point latitude, WGS84", 65.62, required=False, min=-90, max=90),
    ),
    key=("nuts_id",),
)

VALUE_CHAINS = Table(
    "value_chains",
    "Value chains",
    "A value chain, whose ordered stages are in the stages table.",
    (
        Column("chain_id", "text", "Short identifier", "circular_bioeconomy", pattern=ID_PATTERN),
        Column("name", "text", "Display name", "Circular bioeconomy"),
        Column("description", "text", "What the chain covers", "From forest and farm biomass …", required=False),
    ),
    key=("chain_id",),
)

STAGES = Table(
    "stages",
    "Value-chain stages",
    "Ordered stages of a value chain; `feeds_back_to` closes a loop (end-of-life back to supply).",
    (
        Column("chain_id", "text", "Value chain", "circular_bioeconomy", references="value_chains.chain_id"),
        Column("stage_id", "text", "Short identifier", "processing", pattern=ID_PATTERN),
        Column("position", "int", "Order along the chain, 1 = first", 2, min=1, max=50),
        Column("name", "text", "Display name", "Processing"),
        Column("description", "text", "What happens in this stage", "Pulp, sawmills, food …", required=False),
        Column("feeds_back_to", "text", "Stage this one loops back to", "biomass_supply", required=False),
    ),
    key=("chain_id", "stage_id"),
)

SECTORS = Table(
    "sectors",
    "Sectors",
    "NACE Rev. 2 divisions (two-digit codes with their section letter, e.g. C16).",
    (
        Column(
            "nace",
            "text",
            "NACE Rev. 2 code (section letter + division), or TOTAL",
            "C16",
            pattern=r"^([A-U][0-9]{2}|TOTAL)$",
        ),
        Column("name", "text", "Division title", "Manufacture of wood and of products of wood and cork"),
        Column("section", "text", "NACE section letter (empty for TOTAL)", "C", required=False, pattern=r"^[A-U]$"),
    ),
    key=("nace",),
)

STAGE_SECTORS = Table(
    "stage_sectors",
    "Sector → stage mapping",
    "Which NACE divisions make up each stage of a value chain (one stage per division and chain).",
    (
        Column("chain_id", "text", "Value chain", "circular_bioeconomy", references="value_chains.chain_id"),
        Column("stage_id", "text", "Stage", "processing", references="stages.stage_id"),
        Column("nace", "text", "NACE Rev. 2 division", "C16", references="sectors.nace"),
        Column("rationale", "text", "Why this division belongs to the stage", "Sawmilling …", required=False),
    ),
    key=("chain_id", "nace"),
    checks=(TableCheck("stage_chain", "member_of", "stage_id", by="chain_id", reference="stages.stage_id"),),
)

INDICATORS = Table(
    "indicators",
    "Indicators",
    "What an observation measures; `additive` values may be summed over regions and sectors.",
    (
        Column("indicator_id", "text", "Short identifier", "employment", pattern=ID_PATTERN),
        Column("name", "text", "Display name", "Employment"),
        Column("unit", "text", "Unit of the values", "persons"),
        Column("additive", "bool", "Values can be summed (counts, money), not rates", True),
        Column("nonnegative", "bool", "Negative values are impossible", True),
        Column("description", "text", "Definition and usual source", "Persons employed …", required=False),
    ),
    key=("indicator_id",),
)

OBSERVATIONS = Table(
    "observations",
    "Observations",
    "Quantitative data by region, NACE sector (or TOTAL for the whole economy), indicator and year.",
    (
        Column("region_id", "text", "NUTS 2021 code", "FI1D", references="regions.nuts_id"),
        Column("sector", "text", "NACE Rev. 2 division, or TOTAL", "C17", references="sectors.nace"),
        Column("indicator", "text", "Indicator identifier", "employment", references="indicators.indicator_id"),
        Column("year", "int", "Reference year", 2022, **YEAR),
        Column(
            "value",
            "float",
            "The value; empty where the source has none (':', 'NA'; confidential: flag c)",
            5120.0,
            empty_cells=True,
        ),
        Column("unit", "text", "Unit", "persons"),
        Column("source", "text", "Where the value comes from", "Eurostat sbs_r_nuts2021"),
        Column("flag", "text", "Eurostat-style flag (p provisional, e estimated, …)", "p", required=False),
    ),
    key=("region_id", "sector", "indicator", "year"),
    checks=(
        TableCheck("nonnegative", "nonnegative_if", "value", by="indicator", reference="indicators.nonnegative"),
        TableCheck(
            "unit", "same_as_reference", "unit", by="indicator", reference="indicators.unit", severity="warning"
        ),
        TableCheck("flag", "flags", "flag", severity="warning"),
    ),
)

FLOWS = Table(
    "flows",
    "Flows",
    "Inter-regional flows along a value chain: goods, knowledge or investment, stage to stage.",
    (
        Column("chain_id", "text", "Value chain", "circular_bioeconomy", references="value_chains.chain_id"),
        Column("from_region", "text", "Supplying region (NUTS)", "SE33", references="regions.nuts_id"),
        Column("from_stage", "text", "Supplying stage", "biomass_supply", references="stages.stage_id"),
        Column("to_region", "text", "Receiving region (NUTS)", "FI1D", references="regions.nuts_id"),
        Column("to_stage", "text", "Receiving stage", "processing", references="stages.stage_id"),
        Column("year", "int", "Reference year", 2022, **YEAR),
        Column("kind", "text", "goods, knowledge or investment", "goods", choices=FLOW_KINDS),
        Column("value", "float", "Size of the flow", 12.5, min=0),
        Column("unit", "text", "Unit", "EUR million"),
        Column("source", "text", "Where the value comes from", "Regional input-output estimate"),
    ),
    key=("chain_id", "from_region", "from_stage", "to_region", "to_stage", "year", "kind"),
    checks=(
        TableCheck("stage_chain", "member_of", "from_stage", by="chain_id", reference="stages.stage_id"),
        TableCheck("stage_chain", "member_of", "to_stage", by="chain_id", reference="stages.stage_id"),
    ),
)

ACTORS = Table(
    "actors",
    "Actors",
    "Key actors of the regional ecosystem, typed by the quadruple helix.",
    (
        Column("actor_id", "text", "Short identifier", "aalto-university", pattern=ID_PATTERN),
        Column("name", "text", "Name", "Aalto University"),
        Column("type", "text", "business, research, public or civil_society", "research", choices=ACTOR_TYPES),
        Column("region_id", "text", "NUTS 2021 code of the seat", "FI1B", references="regions.nuts_id"),
        Column(
            "chain_id", "text", "Value chain", "circular_bioeconomy", required=False, references="value_chains.chain_id"
        ),
        Column(
            "stages",
            "text",
            "Stages it works in, separated by ;",
            "processing;bio_products",
            required=False,
            references="stages.stage_id",
            is_list=True,
        ),
        Column("competences", "text", "What it is good at", "Wood-based textile fibres", required=False),
        Column(
            "website", "text", "Web address", "https://www.aalto.fi", required=False, pattern=r"^https?://[^\s<>\"']+$"
        ),
    ),
    key=("actor_id",),
)

PRIORITIES = Table(
    "priorities",
    "S3 priorities",
    "Smart-specialisation priorities in Eye@RIS3 style: economic (NACE), scientific (Frascati "
    "field) or policy-objective codes, with the region's own wording.",
    (
        Column("region_id", "text", "NUTS 2021 code", "SE33", references="regions.nuts_id"),
        Column(
            "code",
            "text",
            "Domain code, e.g. NACE:C17, FOS:2.7, POL:circular",
            "NACE:C16",
            pattern=r"^(NACE|FOS|POL):[A-Za-z0-9_.\-]+$",
        ),
        Column("dimension", "text", "economic, scientific or policy", "economic", choices=PRIORITY_DIMENSIONS),
        Column("label", "text", "Short name of the priority", "Wood construction"),
        Column("description", "text", "The region's own wording", "Industrial timber construction …", required=False),
    ),
    key=("region_id", "code"),
)

PROJECTS = Table(
    "projects",
    "Projects and funding",
    "Projects with public or public-private funding, their partners and the stages they serve.",
    (
        Column("project_id", "text", "Short identifier", "bsr-s3-ecosystem", pattern=ID_PATTERN),
        Column("title", "text", "Title", "BSR S3 Ecosystem"),
        Column("programme", "text", "Funding programme", "Interreg Baltic Sea Region"),
        Column("budget_eur", "float", "Total budget in EUR", 1_500_000.0, min=0),
        Column("public_funding_eur", "float", "Public (incl. EU) share in EUR", 1_200_000.0, min=0, required=False),
        Column(
            "partner_regions",
            "text",
            "NUTS codes of partner regions, separated by ;",
            "SE33;FI1C",
            references="regions.nuts_id",
            is_list=True,
        ),
        Column(
            "partner_actors",
            "text",
            "Actor identifiers, separated by ;",
            "aalto-university",
            required=False,
            references="actors.actor_id",
            is_list=True,
        ),
        Column(
            "chain_id", "text", "Value chain", "circular_bioeconomy", required=False, references="value_chains.chain_id"
        ),
        Column(
            "stages",
            "text",
            "Stages it serves, separated by ;",
            "processing",
            required=False,
            references="stages.stage_id",
            is_list=True,
        ),
        Column("start_year", "int", "First year", 2020, **YEAR),
        Column(
            "end_year",
            "int",
            "Last year (empty where the list gives only a start or approval date)",
            2023,
            required=False,
            **YEAR,
        ),
        Column("source", "text", "Where the record comes from", "keep.eu"),
    ),
    key=("project_id",),
)

IDEAS = Table(
    "ideas",
    "Joint investment ideas",
    "Idea cards for joint investment projects, written in workshops (BSR step 4).",
    (
        Column("idea_id", "int", "Number", 1, min=1),
        Column("title", "text", "Title", "Lignin value chain pilot"),
        Column("chain_id", "text", "Value chain", "circular_bioeconomy", required=False),
        Column("regions", "text", "NUTS codes, separated by ;", "SE33;FI1D"),
        Column("actors", "text", "Actor identifiers, separated by ;", "aalto", required=False),
        Column("stages", "text", "Stages, separated by ;", "processing", required=False),
        Column("description", "text", "What the pair or group would do", "…", required=False),
        Column("next_steps", "text", "Who does what next", "…", required=False),
        Column("created_by", "text", "Editor", "anna"),
        Column("created_at", "timestamp", "Created", None),
        Column("updated_at", "timestamp", "Last changed", None),
    ),
    key=("idea_id",),
    versioned=False,
    uploadable=False,
)

DATASETS = Table(
    "datasets",
    "Datasets",
    "A named source of rows for one table (the demo data, or one analyst's upload series).",
    (
        Column("dataset_id", "int", "Number", 1),
        Column("table_name", "text", "Table the rows go to", "observations"),
        Column("name", "text", "Display name", "Eurostat sbs_r_nuts2021"),
        Column("origin", "text", "demo or upload", "demo", choices=("demo", "upload")),
        Column("created_at", "timestamp", "Created", None),
    ),
    key=("dataset_id",),
    versioned=False,
    uploadable=False,
)

DATASET_VERSIONS = Table(
    "dataset_versions",
    "Dataset versions",
    "Each load of a dataset; readers only see rows of the version whose status is current.",
    (
        Column("version_id", "int", "Number", 1),
        Column("dataset_id", "int", "Dataset", 1),
        Column("created_at", "timestamp", "Loaded at", None),
        Column("created_by", "text", "Who loaded it", "demo generator"),
        Column("file_name", "text", "File it came from", "observations.csv"),
        Column("rows", "int", "Number of rows", 1000, min=0),
        Column("content_hash", "text", "SHA-256 of the loaded rows", "ab12…"),
        Column("status", "text", "current, superseded or deleted", "current", choices=VERSION_STATUSES),
        Column("note", "text", "Free note", "", required=False),
        Column(
            "replaces", "int", "The version of the same dataset that was current before this one", None, required=False
        ),
        Column(
            "taken_over_by",
            "int",
            "The version of another dataset that took rows away from this dataset, making this version",
            None,
            required=False,
        ),
        Column("left_out", "int", "Rows of the file left out, not stored", 0, required=False, min=0),
        Column("left_out_kinds", "text", "Rows left out per kind (extra-regio 2; missing 5)", "", required=False),
        Column("left_out_rows", "text", "The rows left out, as CSV (file row, kind, cells)", "", required=False),
        # Where a version fetched from Eurostat came from (empty for uploads and the demo data).
        Column("source_code", "text", "Eurostat dataset code", "tgs00042", required=False),
        Column("source_updated", "text", "Eurostat's last update of the dataset (ISO 8601)", None, required=False),
        Column("source_url", "text", "The query URL the rows were fetched with", None, required=False),
        Column("fetched_at", "timestamp", "When the rows were fetched (UTC)", None, required=False),
    ),
    key=("version_id",),
    versioned=False,
    uploadable=False,
)

COLUMN_MAPPINGS = Table(
    "column_mappings",
    "Remembered column mappings",
    "How the columns of a source's files map onto a table, remembered for the next upload.",
    (
        Column("source_key", "text", "Source the mapping belongs to", "eurostat-tsv"),
        Column("table_name", "text", "Target table", "observations"),
        Column("mapping", "text", "JSON object: file column → table column", "{}"),
        Column("updated_at", "timestamp", "Last changed", None),
    ),
    key=("source_key", "table_name"),
    versioned=False,
    uploadable=False,
)

WORKSHOPS = Table(
    "workshops",
    "Workshops",
    "An agenda of scenes that a facilitator presents; participants join it with its short code.",
    (
        Column("workshop_id", "int", "Number", 1),
        Column("title", "text", "Title", "BSR S3 bioeconomy workshop, Turku"),
        Column("code", "text", "Short join code participants type", "K7QM2P"),
        Column("closed", "bool", "Votes and comments are frozen", False),
        Column("created_by", "text", "Editor", "anna"),
        Column("created_at", "timestamp", "Created", None),
    ),
    key=("workshop_id",),
    versioned=False,
    uploadable=False,
    unique=(("code",),),
)

SCENES = Table(
    "scenes",
    "Scenes",
    "A saved view (page and its URL query parameters) with a title and a talking note, in agenda order.",
    (
        Column("scene_id", "int", "Number", 1),
        Column("workshop_id", "int", "Workshop", 1),
        Column("position", "int", "Order in the agenda, 1 = first", 1, min=1),
        Column("title", "text", "Title shown on screen", "Who leads in processing?"),
        Column("note", "text", "Talking note for the presenter", "", required=False),
        Column("page", "text", "URL path of the page ('' = home)", "map"),
        Column("state", "text", "JSON object: URL query parameter → value(s)", "{}"),
        Column(
            "chart", "text", "Plotly JSON of the scene's main chart when saved (for the report)", None, required=False
        ),
        Column("items", "text", "JSON list of partner suggestions participants can vote on", "[]", required=False),
        Column("created_at", "timestamp", "Saved", None),
    ),
    key=("scene_id",),
    versioned=False,
    uploadable=False,
)

PARTICIPANTS = Table(
    "participants",
    "Workshop participants",
    "A browser that joined a workshop with its code: no account, only a random token.",
    (
        Column("token", "text", "Random token the participant's browser holds", "f3a9…"),
        Column("workshop_id", "int", "Workshop", 1),
        Column("joined_at", "timestamp", "Joined", None),
    ),
    key=("token",),
    versioned=False,
    uploadable=False,
)

VOTES = Table(
    "votes",
    "Votes",
    "One vote per participant browser per item (a partner suggestion or an idea card); the key enforces it.",
    (
        Column("workshop_id", "int", "Workshop", 1),
        Column("item", "text", "partner:REGION:PARTNER or idea:ID", "idea:3"),
        Column("participant", "text", "Participant token", "f3a9…"),
        Column("created_at", "timestamp", "Voted", None),
    ),
    key=("workshop_id", "item", "participant"),
    versioned=False,
    uploadable=False,
)

COMMENTS = Table(
    "comments",
    "Comments",
    "A participant's short comment on an item, shown as plain text.",
    (
        Column("comment_id", "int", "Number", 1),
        Column("workshop_id", "int", "Workshop", 1),
        Column("item", "text", "partner:REGION:PARTNER or idea:ID", "idea:3"),
        Column("participant", "text", "Participant token", "f3a9…"),
        Column("text", "text", "The comment", "Add the Estonian pulp mill"),
        Column("created_at", "timestamp", "Written", None),
    ),
    key=("comment_id",),
    versioned=False,
    uploadable=False,
)

META = Table(
    "meta",
    "Store metadata",
    "Schema version and the revision counter that invalidates caches after every write.",
    (
        Column("key", "text", "Name", "revision"),
        Column("value", "text", "Value", "1"),
    ),
    key=("key",),
    versioned=False,
    uploadable=False,
)

SIGN_IN_FAILURES = Table(
    "sign_in_failures",
    "Failed sign-ins",
    "Wrong editor passwords per editor name and per client address, and lockouts after too many: kept in the "
    "database so that every app process on it counts the same attempts.",
    (
        Column("subject", "text", "Who tried: name:… or address:…", "address:192.0.2.7"),
        Column("failures", "int", "Wrong passwords since the first", 1, min=0),
        Column("first_at", "timestamp", "First wrong password counted", None),
        Column("locked_until", "timestamp", "No sign-in before then", None, required=False),
    ),
    key=("subject",),
    versioned=False,
    uploadable=False,
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        REGIONS,
        VALUE_CHAINS,
        STAGES,
        SECTORS,
        STAGE_SECTORS,
        INDICATORS,
        OBSERVATIONS,
        FLOWS,
        ACTORS,
        PRIORITIES,
        PROJECTS,
        IDEAS,
        DATASETS,
        DATASET_VERSIONS,
        COLUMN_MAPPINGS,
        WORKSHOPS,
        SCENES,
        PARTICIPANTS,
        VOTES,
        COMMENTS,
        META,
        SIGN_IN_FAILURES,
    )
}
# Load order: a table's references point only to tables before it.
LOAD_ORDER = (
    "regions",
    "value_chains",
    "stages",
    "sectors",
    "stage_sectors",
    "indicators",
    "observations",
    "flows",
    "actors",
    "priorities",
    "projects",
)

ERROR_COLUMNS = ["file", "row", "column", "value", "check", "message", "severity"]


@dataclass
class Report:
    """All failures of one validation run, as one table; `clean` holds the coerced rows."""

    table: Table
    clean: pd.DataFrame
    failures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))

    @property
    def errors(self) -> pd.DataFrame:
        return self.failures[self.failures["severity"] == "error"]

    @property
    def warnings(self) -> pd.DataFrame:
        return self.failures[self.failures["severity"] == "warning"]

    @property
    def ok(self) -> bool:
        return self.errors.empty

    def summary(self) -> str:
        if self.ok:
            return f"{len(self.clean)} rows valid for {self.table.title}."
        first = self.errors.iloc[0]
        return (
            f"{len(self.errors)} problem(s) in {first['file']}; first: row {first['row']}, "
            f"column '{first['column']}': {first['message']}"
        )


Suggest = Callable[[str, str], str | None]  # (reference "table.column", bad value) → hint


class _Collector:
    def __init__(self, file: str, row_offset: int) -> None:
        self.file, self.row_offset = file, row_offset
        self.rows: list[tuple[str, int | None, str, str, str, str, str]] = []

    def add(self, index: object, column: str, value: object, check: str, message: str, severity: str = "error") -> None:
        row = None if index is None else int(index) + self.row_offset  # type: ignore[call-overload]
        shown = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
        self.rows.append((self.file, row, column, shown[:200], check, message, severity))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=ERROR_COLUMNS)


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | s.astype("string").str.strip().eq("")


# --- text columns as codes and distinct values ---------------------------------------------------------------
# A million-row upload holds a few hundred region codes, a few dozen sectors and one unit: text columns travel as
# pandas Categoricals, so every text check runs once per distinct value and reaches the rows through the codes.


def as_categorical(s: pd.Series) -> pd.Series:
    """A text column as a Categorical of its distinct texts (missing cells: code -1), by arrow's dictionary
    encoding; a column with one text throughout (a unit, a source) takes one comparison instead."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s
    text = s if isinstance(s.array, pd.arrays.ArrowStringArray) else s.astype("str")
    arr = pa.chunked_array(text.array.__arrow_array__()).combine_chunks()
    if len(arr) and arr[0].is_valid and pc.all(pc.equal(arr, arr[0]), skip_nulls=False).as_py() is True:
        return _categorical(np.zeros(len(arr), dtype=np.int8), [arr[0].as_py()], s.index, s.name)
    return dictionary_categorical(pc.dictionary_encode(arr), s.index, s.name)


def dictionary_categorical(
    arr: pa.DictionaryArray | pa.ChunkedArray, index: pd.Index, name: object = None
) -> pd.Series:
    """Arrow's dictionary-encoded text (chunks' dictionaries unified) as a Categorical of sorted texts: the codes
    are sorted and narrowed in one pass, where pandas' conversion and a sort would take two."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    indices = arr.indices.fill_null(-1) if arr.indices.null_count else arr.indices  # a parse's text has no nulls
    return _categorical(indices.to_numpy(), arr.dictionary.to_pylist(), index, name)


def _categorical(codes: np.ndarray, values: object, index: pd.Index, name: object = None) -> pd.Series:
    """Categories in sorted order, so that sorting the column sorts its texts."""
    categories = pd.Index(values, dtype="str")
    order = categories.argsort()
    small = np.int8 if len(order) < 127 else np.int16 if len(order) < 32767 else np.int32
    if (order == np.arange(len(order))).all():
        sorted_codes = codes.astype(small, copy=False)
    else:
        rank = np.empty(len(order), dtype=small)
        rank[order] = np.arange(len(order))
        sorted_codes = by_code(rank, codes, -1)
    return pd.Series(
        pd.Categorical.from_codes(sorted_codes, categories=categories[order], validate=False), index=index, name=name
    )


def text_codes(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes (-1: missing) and distinct values of a text column: check the values, reach rows by the codes."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy(), pd.Series(s.cat.categories.astype("str"), dtype="str")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes, pd.Series(uniques, dtype="str")


def isin(s: pd.Series, values: object) -> np.ndarray:
    """Whether each cell is among `values`, tested once per distinct value of a Categorical."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, distinct = text_codes(s)
        return spread(distinct.isin(list(values)).to_numpy(), codes)  # type: ignore[call-overload]
    return s.isin(list(values)).fillna(False).to_numpy(dtype=bool)  # type: ignore[call-overload]


def spread(per_value: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """A boolean per distinct value → one per row (missing cells, code -1, are False)."""
    per_value = np.asarray(per_value, dtype=bool)
    if per_value.all():  # every value known, none bad: the usual answers need no lookup per row
        return codes >= 0
    if not per_value.any():
        return np.zeros(len(codes), dtype=bool)
    return by_code(per_value, codes, False)


def by_code(per_value: np.ndarray, codes: np.ndarray, missing: object) -> np.ndarray:
    """One value per distinct value → one per row, through the codes; code -1 (a missing cell) gets `missing`."""
    return np.append(per_value, np.array([missing], dtype=per_value.dtype))[codes]


def _key_codes(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, int] | None:
    """One int64 per row, equal exactly when the rows' values in `columns` are (-1 where one is missing), and
    how many keys there can be; None when that would not fit in 64 bits."""
    key = np.zeros(len(frame), dtype=np.int64)
    span = 1
    missing = None
    for name in columns:
        col = frame[name]
        codes = _codes(col)
        categorical = isinstance(col.dtype, pd.CategoricalDtype)  # its size known without a pass over the rows
        size = max(len(col.cat.categories) if categorical else int(codes.max(initial=-1)) + 1, 1)
        if span * size >= 2**62:
            return None
        if codes.min(initial=0) < 0:
            missing = codes < 0 if missing is None else missing | (codes < 0)
            codes = np.maximum(codes, 0)
        if span > 1:
            key *= size
        key += codes
        span *= size
    if missing is not None:
        key[missing] = -1
    return key, span


def _codes(col: pd.Series) -> np.ndarray:
    """Category codes; for whole numbers (years) their distance from the smallest; else factorized."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy()
    if pd.api.types.is_integer_dtype(col.dtype):
        low, high = col.min(), col.max()
        if pd.notna(low) and int(high) - int(low) < 1 << 20:
            return (col - low).to_numpy(dtype=np.int64, na_value=-1)
    return pd.factorize(col)[0]


def _key_firsts(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
    """Each row's key over `columns` (-1: a value missing) and, per key, the position of its first row (len(frame)
    where no row has it); no table when every key occurs once, the usual answer for a table's key. Keys from
    column codes; a table of first positions when the keys are few, else a hash of them."""
    n = len(frame)
    coded = _key_codes(frame, columns)
    if coded is None:
        complete = frame[columns].notna().all(axis=1).to_numpy()
        codes = frame.groupby(columns, sort=False, dropna=True, observed=True).ngroup().to_numpy()
        key, span = np.where(complete, codes, -1), max(int(codes.max(initial=-1)) + 1, 1)
    else:
        key, span = coded
    if span > max(4 * n, 1 << 20):
        valid = key >= 0
        key = key.copy()
        key[valid] = pd.factorize(key[valid])[0]
        span = max(int(key.max(initial=-1)) + 1, 1)
    counts = np.bincount(key + 1, minlength=span + 1)[1:]  # rows with key -1 counted apart
    if counts.max(initial=0) <= 1:
        return key, None
    first = np.full(span + 1, n, dtype=np.int64)  # the last slot collects the rows with key -1
    if span <= 64:  # a flag or a unit: one comparison per value present beats a scatter over every row
        head = key[: 1 << 16]  # where nearly every value first occurs: a full pass only for the others
        for k in np.flatnonzero(counts):
            at = int(np.argmax(head == k))
            first[k] = at if head[at] == k else np.argmax(key == k)
    else:
        np.minimum.at(first, key, np.arange(n))
    return key, first[:-1]


def first_rows(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Position of the first row of each distinct combination of `columns` (rows missing a part left out)."""
    key, first = _key_firsts(frame, columns)
    return np.flatnonzero(key >= 0) if first is None else np.sort(first[first < len(frame)])


def duplicated_keys(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Rows whose key repeats an earlier row's (rows with a missing key part are never duplicates)."""
    key, first = _key_firsts(frame, columns)
    if first is None:
        return np.zeros(len(frame), dtype=bool)
    return (key >= 0) & (first[key] != np.arange(len(frame)))


def coerce(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Cast the table's columns to their storage types (invalid cells become missing)."""
    out = {}
    for col in table.columns:
        s = df[col.name] if col.name in df.columns else pd.Series(pd.NA, index=df.index)
        out[col.name] = _cast(s, col.dtype)
    return pd.DataFrame(out, index=df.index, copy=False)  # one frame of the columns, not one insert each


def _cast(s: pd.Series, dtype: DType) -> pd.Series:
    if dtype == "text":
        if isinstance(s.dtype, pd.CategoricalDtype):
            categories = pd.Series(s.cat.categories.astype("str"))
            stripped = _cast(categories, "text")
            if stripped.notna().all() and (stripped.to_numpy() == categories.to_numpy()).all():
                return s.rename(None)  # nothing to strip, no blank text: the usual case
            codes, distinct = pd.factorize(stripped, use_na_sentinel=True)  # " SE11" and "SE11" become one
            return _categorical(by_code(codes, s.cat.codes.to_numpy(), -1), distinct, s.index)
        if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
            text = pc.utf8_trim_whitespace(pa.array(s, from_pandas=True))
            text = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
            return pd.Series(pd.array(text, dtype="string[pyarrow]"), index=s.index)
        t = s.astype("string").str.strip()
        return t.mask(t.eq(""))
    if dtype in ("int", "float"):
        if isinstance(s.dtype, pd.CategoricalDtype):  # once per distinct text, reaching the rows by the codes
            per_value = _cast(pd.Series(s.cat.categories.astype("str")), dtype)
            return pd.Series(per_value.array.take(s.cat.codes.to_numpy(), allow_fill=True), index=s.index)
        num = s if s.dtype == np.float64 else _numbers(s)  # ingest hands plain-number columns over as floats
        values = num.to_numpy(dtype=np.float64)
        valid = np.isfinite(values)  # "inf" or 1e400 is no value anyone measured
        if dtype == "int":
            valid &= (values == np.floor(values)) & (np.abs(values) < _INT64_SAFE)
            return pd.Series(pd.arrays.IntegerArray(np.where(valid, values, 0).astype(np.int64), ~valid), index=s.index)
        return pd.Series(pd.arrays.FloatingArray(np.where(valid, values, 0.0), ~valid), index=s.index)
    if dtype == "bool":
        if s.dtype == bool:
            return s.astype("boolean")
        mapped = (
            s.astype("string")
            .str.strip()
            .str.lower()
            .map({"true": True, "1": True, "yes": True, "t": True, "false": False, "0": False, "no": False, "f": False})
        )
        return mapped.astype("boolean")
    return pd.to_datetime(s, errors="coerce", utc=True)


def _numbers(s: pd.Series) -> pd.Series:
    """Text to float64 (invalid → NaN). pyarrow's cast parses a million clean cells in milliseconds; only a
    column with some invalid cell takes pandas' slower, forgiving path."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow" and s.notna().all():
        try:
            parsed = pc.cast(pa.array(s, from_pandas=True), pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        else:
            return pd.Series(parsed.to_numpy(zero_copy_only=False), index=s.index, dtype="float64")
    return pd.to_numeric(s, errors="coerce").astype("float64")


def validate(
    df: pd.DataFrame,
    table: Table,
    *,
    file: str = "(data)",
    row_offset: int = 2,
    known: Mapping[str, set[str]] | None = None,
    suggest: Suggest | None = None,
) -> Report:
    """Check `df` against `table`, collecting every failure instead of stopping at the first.

    `row_offset` turns a 0-based data index into the row an analyst sees in the file (2 for a CSV
    with one header line). `known` maps "table.column" to its valid values for reference checks.
    """
    found = _Collector(file, row_offset)
    df = df.reset_index(drop=True)
    missing = [c.name for c in table.columns if c.required and c.name not in df.columns]
    for name in missing:
        found.add(None, name, None, "column_present", f"required column '{name}' is missing")
    extra = [c for c in df.columns if c not in table.column_names]
    for name in extra:
        found.add(
            None, str(name), None, "column_known", f"column '{name}' is not part of {table.name}; ignored", "warning"
        )
    clean = coerce(df, table)
    for col in table.columns:
        if col.name not in df.columns:
            continue
        _check_column(df[col.name], clean[col.name], col, found, known or {}, suggest)
    present_key = [k for k in table.key if k in df.columns]
    if present_key and len(present_key) == len(table.key):
        for i in clean.index[duplicated_keys(clean, list(table.key))]:
            value = " / ".join(str(clean.at[i, k]) for k in table.key)
            found.add(
                i,
                "+".join(table.key),
                value,
                "unique_key",
                f"duplicate of an earlier row with the same {', '.join(table.key)}",
            )
    if table is PROJECTS and {"start_year", "end_year"} <= set(df.columns):
        bad = clean["end_year"] < clean["start_year"]
        for i in clean.index[bad.fillna(False)]:
            found.add(i, "end_year", clean.at[i, "end_year"], "year_order", "end_year is before start_year")
    return Report(table, clean, found.frame())


def _blank_cells(raw: pd.Series, val: pd.Series, dtype: DType) -> np.ndarray:
    """Same as _blank(raw), faster: coerced text is already stripped, a number that parsed is not blank, and a
    Categorical is stripped once per distinct text; elsewhere only cells that failed to parse are stripped (a
    million strips per column add up)."""
    if dtype == "text":
        return val.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(raw.dtype):  # a column ingest already turned into numbers
        return raw.isna().to_numpy()
    if isinstance(raw.dtype, pd.CategoricalDtype):
        codes, distinct = text_codes(raw)
        return by_code(_blank(distinct).to_numpy(dtype=bool), codes, True)
    empty = (raw.isna() | (raw.astype("string") == "")).fillna(True).astype(bool)
    maybe = val.isna() & ~empty
    if maybe.any():
        empty |= maybe & _blank(raw.where(maybe))
    return empty.to_numpy()


def _check_column(
    raw: pd.Series,
    val: pd.Series,
    col: Column,
    found: _Collector,
    known: Mapping[str, set[str]],
    suggest: Suggest | None,
) -> None:
    """One column's failures; `raw` and `val` have a RangeIndex (validate resets it), so positions are rows and
    every test is a numpy mask."""
    blank = _blank_cells(raw, val, col.dtype)
    if col.required and not col.empty_cells:
        for i in np.flatnonzero(blank):
            found.add(i, col.name, None, "not_null", f"'{col.name}' must not be empty")
    ok = val.notna().to_numpy()
    for i in np.flatnonzero(~blank & ~ok):
        found.add(i, col.name, raw.iat[i], "dtype", f"'{raw.iat[i]}' is not a valid {_TYPE_WORDS[col.dtype]}")
    if col.min is not None:
        for i in np.flatnonzero((val < col.min).to_numpy(dtype=bool, na_value=False)):
            found.add(i, col.name, val.iat[i], "min", f"must be at least {col.min:g}")
    if col.max is not None:
        for i in np.flatnonzero((val > col.max).to_numpy(dtype=bool, na_value=False)):
            found.add(i, col.name, val.iat[i], "max", f"must be at most {col.max:g}")
    if col.choices is not None:
        for i in np.flatnonzero(ok & ~val.isin(col.choices).to_numpy(dtype=bool)):
            found.add(i, col.name, val.iat[i], "choices", f"must be one of: {', '.join(col.choices)}")
    if col.pattern is not None:
        rx = re.compile(col.pattern)
        codes, distinct = text_codes(val)
        matches = spread(distinct.map(lambda v: rx.match(v) is not None).to_numpy(dtype=bool), codes)
        for i in np.flatnonzero(ok & ~matches):
            found.add(i, col.name, val.iat[i], "pattern", f"'{val.iat[i]}' is not a valid {col.description}")
    if col.references is not None and col.references in known:
        valid = known[col.references]
        hints: dict[str, str | None] = {}  # one suggestion per distinct bad value, however many rows have it
        candidates = np.flatnonzero(ok if col.is_list else ok & ~isin(val, valid))
        for i in candidates:
            items = str(val.iat[i]).split(LIST_SEPARATOR) if col.is_list else [str(val.iat[i])]
            for item in (x.strip() for x in items):
                if item and item not in valid:
                    if item not in hints:
                        hints[item] = suggest(col.references, item) if suggest else None
                    hint = hints[item]
                    message = f"unknown {col.references.split('.')[0].rstrip('s')} '{item}'"
                    found.add(i, col.name, item, "reference", message + (f"; {hint}" if hint else ""))


_INT64_SAFE = 2.0**53  # whole numbers beyond this are not exact in a float, let alone a year or a count
_TYPE_WORDS = {
    "text": "text",
    "int": "whole number",
    "float": "number",
    "bool": "true/false value",
    "timestamp": "date and time",
}
