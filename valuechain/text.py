"""What free text may hold, one rule for every place text enters: uploaded cells, and the names the store
records (datasets, editors, files).

Text is shown as typed and exported to spreadsheets, so it may not start like a spreadsheet formula, hold
HTML or script markup, control characters, or the invisible characters that reverse the direction of what
follows (a right-to-left override makes `evil‮fdp.exe` look like `evilexe.pdf`).
"""

from __future__ import annotations

import re

# Patterns as strings, so that ingest can combine them and run them over whole columns at once.
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
HTML = r"</?[A-Za-z!][^<>]*>"
FORMULA = r"^[ \t]*(?:=|[+\-@][^ \t]*[(!|])"
# Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
BIDI = r"[\u202a-\u202e\u2066-\u2069]"
MAX_NAME_CHARS = 200  # a dataset, editor or file name

_BIDI = re.compile(BIDI)


def without_bidi(text: object) -> str:
    """`text` without direction overrides, so that a name or file name is shown in the order it was typed."""
    return _BIDI.sub("", str(text))


def problem(text: object, what: str, *, max_chars: int = MAX_NAME_CHARS, required: bool = True) -> str | None:
    """Why `text` (e.g. the "dataset name") cannot be stored, in words for the form, or None when it is fine."""
    value = "" if text is None else str(text)
    if not value.strip():
        return f"The {what} is empty: give one." if required else None
    if len(value) > max_chars:
        return f"The {what} is longer than {max_chars:,} characters: shorten it."
    for pattern, why in (
        (CONTROL, "holds a control character, which is not text"),
        (BIDI, "holds an invisible character that reverses the direction of the text"),
        (HTML, "holds HTML or script markup (text is shown as typed)"),
        (FORMULA, "starts like a spreadsheet formula (=, +, - or @) and could run as one in an export"),
    ):
        if re.search(pattern, value):
            return f"The {what} {why}: '{_shown(value)}'. Change it."
    return None


def _shown(text: str) -> str:
    """The offending text, its invisible characters written as U+XXXX so the message shows them."""
    return re.sub(f"{CONTROL}|{BIDI}", lambda m: f"U+{ord(m.group(0)):04X}", text[:60])
