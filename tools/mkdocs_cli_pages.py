"""MkDocs hook: one reference page per ``intercluster`` command, generated from the
argparse parser at build time, so the documented usage cannot drift from the code."""

from __future__ import annotations

import argparse
import os

from mkdocs.structure.files import File

PAGE = """# `intercluster {name}`

{help}

```text
{usage}
```
"""


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_pages() -> dict[str, str]:
    """``{"cli/<name>.md": markdown}`` for every command, plus ``cli/index.md``."""
    from intercluster.cli.main import COMMANDS, build_parser

    os.environ["COLUMNS"] = "100"  # a stable width for argparse's wrapping
    import importlib

    parser = build_parser()
    subs = _subcommands(parser)
    pages = {}
    rows = []
    for name in COMMANDS:
        module = importlib.import_module(COMMANDS[name])
        sub = subs[name]
        sub.prog = f"intercluster {name}"
        pages[f"cli/{name}.md"] = PAGE.format(
            name=name,
            help=module.HELP[:1].upper() + module.HELP[1:] + ".",
            usage=sub.format_help().rstrip(),
        )
        rows.append(f"| [`{name}`]({name}.md) | {module.HELP} |")
    pages["cli/index.md"] = (
        "# Command reference\n\nEvery page below is generated from the command's own "
        "`--help` when the documentation is built.\n\n| command | what it does |\n|---|---|\n"
        + "\n".join(rows)
        + "\n"
    )
    return pages


def on_files(files, config):
    for path, text in command_pages().items():
        files.append(File.generated(config, path, content=text))
    return files
