"""The one function that takes secrets out of a message before anyone sees it.

Store and configuration errors quote connection strings and file paths. A password may sit in a URL's
user part (`postgresql://me:secret@host/db`), in its query string (`?password=secret`,
`&sslpassword=secret`), or in a libpq keyword string (`host=db password='se cret'`); each is replaced
by `***`. Absolute file paths (where the database lives on the server) are shortened to their file
name unless the reader may see them (editors, who are told to move a damaged file away).
"""

from __future__ import annotations

import re

HIDDEN = "***"

# scheme://user:PASSWORD@host — the password runs to the last @ before the host (an unencoded @ in it)
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/?#@:]*:)[^\s/?#]*@")
# password=…, sslpassword=…, client_secret=…, token=… in a query string or a libpq keyword string;
# the value is quoted ('…' with backslash escapes, or "…") or runs to the next separator.
_KEYWORD = re.compile(
    r"""(?ix)
    \b([a-z0-9_.-]*(?:password|passwd|pwd|secret|token)[a-z0-9_.-]*)  # the key, e.g. sslpassword
    (\s*=\s*)
    ('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|[^\s&;#'"]+)
    """
)
# /an/absolute/path or C:\a\path: at least two parts, not inside a URL or a relative path
_POSIX_PATH = re.compile(r"(?<![\w:/.~-])/(?:[^\s/'\"()]+/)+([^\s/'\"()]+?)(?=[\s'\"(),;]|\.(?:\s|$)|$)")
_FILE_URL = re.compile(r"(?i)\b(?:duckdb|file):/+(?:[^\s/'\"()]+/)*([^\s/'\"()]+?)(?=[\s'\"(),;]|\.(?:\s|$)|$)")
_WINDOWS_PATH = re.compile(r"\b[A-Za-z]:\\(?:[^\s\\'\"()]+\\)+([^\s\\'\"()]+?)(?=[\s'\"(),;]|\.(?:\s|$)|$)")


def redact(text: object, *, show_paths: bool = False) -> str:
    """`text` with every password replaced by *** and, unless `show_paths`, absolute paths cut to file names."""
    out = _URL_USERINFO.sub(lambda m: f"{m.group(1)}{HIDDEN}@", str(text))
    out = _KEYWORD.sub(lambda m: f"{m.group(1)}{m.group(2)}{HIDDEN}", out)
    if not show_paths:
        out = _FILE_URL.sub(lambda m: m.group(1), out)
        out = _POSIX_PATH.sub(lambda m: m.group(1), out)
        out = _WINDOWS_PATH.sub(lambda m: m.group(1), out)
    return out
