"""Command line: `python -m matgrad.exercises check <id> <file.py>`, and list, show, stubs, section.

`check` runs the file, takes the function the exercise names from it, prints "correct" or the
diagnosis, and exits with 0 (correct), 1 (wrong) or 2 (usage error: unknown id, no such file or
function).
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

from . import EXERCISES, check, exercise, render


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Returns
    -------
    int, the exit status: 0 correct (or list/show), 1 wrong, 2 usage error.
    """
    parser = argparse.ArgumentParser(prog="python -m matgrad.exercises", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("check", help="check your function for an exercise")
    run.add_argument("id")
    run.add_argument("file", type=Path, help="a Python file defining the function the exercise names")
    run.add_argument("--seed", type=int, default=0)
    sub.add_parser("list", help="list the exercises")
    show = sub.add_parser("show", help="print an exercise's statement and signature")
    show.add_argument("id")
    stubs = sub.add_parser("stubs", help="write each page's stub notebook into a folder (docs/exercises)")
    stubs.add_argument("folder", type=Path)
    section = sub.add_parser("section", help="print a page's ## Exercises section (Markdown)")
    section.add_argument("page")
    args = parser.parse_args(argv)
    if args.command == "list":
        for ex in EXERCISES.values():
            print(f"{ex.id:22s} {ex.page:22s} {ex.level:6s} {ex.title}")
        return 0
    if args.command == "stubs":
        for path in render.write_stubs(str(args.folder)):
            print(path)
        return 0
    if args.command == "section":
        try:
            print(render.section(args.page), end="")
        except ValueError as err:
            print(err, file=sys.stderr)
            return 2
        return 0
    try:
        ex = exercise(args.id)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    if args.command == "show":
        print(
            f"{ex.id} ({ex.page}, {ex.level}): {ex.title}\n\n{ex.statement}\n\ndef {ex.signature}: returns {ex.returns}"
        )
        return 0
    if not args.file.is_file():
        print(f"no such file: {args.file}", file=sys.stderr)
        return 2
    namespace = runpy.run_path(str(args.file), run_name="__exercise__")
    candidate = namespace.get(ex.name)
    if not callable(candidate):
        print(f"{args.file} defines no function {ex.name}: the exercise asks for def {ex.signature}", file=sys.stderr)
        return 2
    verdict = check(ex.id, candidate, seed=args.seed)
    print(verdict)
    return 0 if verdict.correct else 1


if __name__ == "__main__":
    sys.exit(main())
