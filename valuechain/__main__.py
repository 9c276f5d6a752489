"""Command line: `python -m valuechain COMMAND …` for analysts who script their yearly updates.

Each command lives in its own module with a `main(argv) -> int` function (or the function named after a colon),
imported only when used.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "import": ("valuechain.cli_import", "check and store a regional data file, as the Data page does"),
    "eurostat": ("valuechain.eurostat.cli", "fetch a Eurostat dataset for the programme area and store it"),
    "init": ("valuechain.backup:main_init", "create the tables; load the demo data into an empty database"),
    "backup": ("valuechain.backup", "write a backup (pg_dump, or a DuckDB file copy) into a folder"),
    "restore": ("valuechain.backup:main_restore", "replace the database's content with a backup"),
}


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the command's module; exit 2 for usage errors, as argparse does."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in COMMANDS or args[0] in ("-h", "--help"):
        lines = [f"  {name:<10} {help_}" for name, (_, help_) in COMMANDS.items()]
        print("usage: python -m valuechain COMMAND [options]\n\ncommands:\n" + "\n".join(lines), file=sys.stderr)
        return 0 if args and args[0] in ("-h", "--help") else 2
    module_name, _, function = COMMANDS[args[0]][0].partition(":")  # "module" or "module:function"
    module = importlib.import_module(module_name)
    return int(getattr(module, function or "main")(args[1:]))


if __name__ == "__main__":
    sys.exit(main())
