"""The analyst's choices about rows, as plain data: recipes and the command line serialise them as they are."""

from __future__ import annotations

from dataclasses import dataclass

# Kinds of rows the explorer cannot place, each a group in the report that may be left out as a whole.
LEAVE_OUT_KINDS = (
    "extra-regio",
    "aggregate",
    "iso3",
    "old-nuts",
    "old-district",
    "outside-area",
    "unknown-region",
    "unusable",
)
# Kinds that have a true one-to-one correspondence and so may be recoded (ISO-3 → NUTS-0; a NUTS code that
# only changed its code → its NUTS 2021 code).
RECODE_KINDS = ("iso3", "old-nuts")
# Tokens read as "no value": Eurostat ':' (with or without a flag, ': c', ': @C' since 2023), Nordic '..',
# '-', 'NA' and 'n/a' of exported spreadsheets, and the empty cell.
DEFAULT_MISSING: tuple[str, ...] = ("", ":", "..", "…", "-", "NA", "N/A", "n/a", "na", "#N/A")


@dataclass(frozen=True)
class RowChoices:
    """Which unusable rows to leave out or recode (by kind), and which tokens mean a missing value."""

    leave_out: frozenset[str] = frozenset()  # LEAVE_OUT_KINDS
    recode: frozenset[str] = frozenset()  # RECODE_KINDS; what a recode cannot place is left out if chosen
    missing: tuple[str, ...] = DEFAULT_MISSING
