"""Command line: `python -m valuechain COMMAND …` for analysts who script their yearly updates.

Each command lives in its own module with a `main(argv) -> int` function, imported only when used.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "import": ("valuechain.cli_import", "check and store a regional data file, as the Data page does"),
    "eurostat": ("valuechain.eurostat.cli", "fetch a Eurostat dataset for the programme area and store it"),
}


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the command's module; exit 2 for usage errors, as argparse does."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in COMMANDS or args[0] in ("-h", "--help"):
        lines = [f"  {name:<10} {help_}" for name, (_, help_) in COMMANDS.items()]
        print("usage: python -m valuechain COMMAND [options]\n\ncommands:\n" + "\n".join(lines), file=sys.stderr)
        return 0 if args and args[0] in ("-h", "--help") else 2
    module = importlib.import_module(COMMANDS[args[0]][0])
    return int(module.main(args[1:]))


if __name__ == "__main__":
    sys.exit(main())
