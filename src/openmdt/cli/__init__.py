"""The `openmdt` command line (thin: each command parses, calls the core, shapes output)."""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

from openmdt.cli.lazy import LAZY_COMMANDS, ROOT_HELP, LazyGroup

__all__ = ["app", "main"]


def build_app() -> Any:
    """The whole command line as one Typer app (every command imported): for tests, the
    docs check and Typer's runner. `main` runs the same commands through `LazyGroup`."""
    import typer

    full = typer.Typer(help=ROOT_HELP, no_args_is_help=True, pretty_exceptions_enable=False,
                       context_settings={"help_option_names": ["-h", "--help"]})
    for command in LAZY_COMMANDS:
        try:
            target = command.load()
        except ImportError:  # an optional part (web, synth) is not installed
            continue
        if isinstance(target, typer.Typer):
            full.add_typer(target, name=command.name)
        else:
            full.command(command.name)(target)
    return full


def __getattr__(name: str) -> Any:
    if name == "app":
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(f"module 'openmdt.cli' has no attribute {name!r}")


def _is_pack_error(error: Exception) -> bool:
    """Whether `error` is a PackLoadError (its module is loaded if one was raised, and is
    not imported otherwise: `--help` stays fast)."""
    diagnostics = sys.modules.get("openmdt.knowledge.diagnostics")
    return diagnostics is not None and isinstance(error, diagnostics.PackLoadError)


def main() -> None:
    """Console entry point: no traceback reaches a user (set OPENMDT_DEBUG=1 to see one)."""
    try:
        LazyGroup().main(prog_name="openmdt")
    except Exception as exc:  # the last line of defence for users, not a way to hide bugs
        if _is_pack_error(exc):
            from openmdt.cli.support import Exit, print_diagnostics

            print_diagnostics(exc)
            sys.exit(Exit.BAD_PACK)
        if os.environ.get("OPENMDT_DEBUG"):
            raise
        from openmdt.cli.support import err_console

        err_console.print(f"[red]internal error[/red]: {type(exc).__name__}: {exc} "
                          "(set OPENMDT_DEBUG=1 for details, and please report it)")
        sys.exit(3)
    finally:
        # The process ends now: no final garbage collection through everything a long run
        # has remembered (about 0.7 s after 100,000 cases). Memory is returned all the same.
        gc.freeze()

