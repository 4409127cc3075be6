"""The docs measured by mutation: ``make mutation`` (``python -m tests.site.mutation``), docs/reliability.md.

mutmut (pinned in requirements-mutation.txt, its own venv) mutates ``src/matgrad`` and runs the
docs pages alone against every mutant: tests/site/mutation_pages.py, one test per page, each page
evaluated whole (one namespace, blocks in order). A mutant no page notices is behaviour the pages
do not pin down.

The run happens in a scratch copy of the repository (``build/mutation``, git-ignored, made afresh
each time): mutmut works in a ``mutants/`` folder beside its config, and its config (a generated
``setup.cfg``) then never touches the repository. PYTHONPATH is dropped, and matgrad is not
installed in the mutation venv, so the pages can only import mutmut's mutated copy (the wrapper
asserts it). Afterwards every mutant is read back from mutmut's files and classified:

- ``equivalent``: judged by hand in tests/site/mutation_equivalent.toml, each with its reason; a
  judgement that matches no mutant of a measured module, or matches a mutant the pages killed,
  fails the run (it is stale or wrong);
- ``message``: the mutant only changes the arguments of an exception it raises (the message of a
  ``raise ValueError(...)``); these are left to the unit tests and counted apart;
- ``behaviour``: every other mutant. The score of a module is the share of these that the pages
  kill (a timeout counts as killed: the pages noticed). A surviving behaviour mutant may carry a
  reason why the pages leave it alone on purpose (``[[unpinned]]`` in the same toml file, e.g. a
  speed-only branch whose two sides give the same numbers); it still counts as a survivor, and an
  entry that matches no mutant or matches one the pages killed fails the run, as a stale judgement does.

The result goes to docs/assets/mutation.json and the marked sections of docs/reliability.md, whose
own check (an executed block) validates the JSON and compares the sections with :func:`page_sections`.
Everything but :func:`main` and :func:`read_mutants` runs without mutmut (the page uses it).
"""

from __future__ import annotations

import argparse
import ast
import builtins
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "matgrad"
REPORT = ROOT / "docs" / "assets" / "mutation.json"
PAGE = ROOT / "docs" / "reliability.md"
JUDGEMENTS = ROOT / "tests" / "site" / "mutation_equivalent.toml"
SUITE = "tests/site/mutation_pages.py"
WORK = ROOT / "build" / "mutation"

# The maths modules: the target (at least 95% of their behaviour mutants killed by the pages) is theirs.
MATHS_MODULES = (
    "gradcheck",
    "activations",
    "layers",
    "losses",
    "mlp",
    "logistic_net",
    "kernels",
    "normalization",
    "dropout",
    "attention",
)
TARGET = 0.95
# What the pages need beside src/ (copied into the scratch folder, and by mutmut into mutants/).
SUPPORT = ("docs", "derivations", "hooks", "benchmarks", "conftest.py", "mkdocs.yml")
COPY = ("src", "tests", "pyproject.toml", *SUPPORT)
IGNORE = shutil.ignore_patterns("__pycache__", ".hypothesis", ".pytest_cache", "*.egg-info")

# mutmut's outcomes, folded: a timeout is a detection; anything else unexpected is "other".
OUTCOMES = ("killed", "timeouts", "survived", "no_tests", "other")
KINDS = ("behaviour", "message", "equivalent")


def all_modules():
    """Every module of src/matgrad, by name ("layers", "__init__"), sorted."""
    return sorted(p.stem for p in PACKAGE.glob("*.py"))


# ---------------------------------------------------------------------------- the run


def prepare(work: Path, modules: list[str]) -> None:
    """A fresh scratch copy of what the pages need, with mutmut's config for ``modules``."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name in COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, work / name, symlinks=True, ignore=IGNORE)
        else:
            shutil.copy2(src, work / name)

    def lines(values):
        return "".join(f"\n    {v}" for v in values)

    # pyproject.toml has no [tool.mutmut], so mutmut reads this file.
    (work / "setup.cfg").write_text(
        "[mutmut]\n"
        "source_paths = src/matgrad\n"
        f"only_mutate ={lines(f'src/matgrad/{m}.py' for m in modules)}\n"
        f"also_copy ={lines(SUPPORT)}\n"
        f"pytest_add_cli_args_test_selection = {SUITE}\n"
        # no -n: xdist's workers and mutmut's forks do not mix; the cache is not needed
        "pytest_add_cli_args = -p no:cacheprovider\n"
        "use_git_change_detection = false\n",
        encoding="utf-8",
    )


def run_mutmut(work: Path, max_children: int) -> tuple[float, float | None, str]:
    """Run ``mutmut run`` in ``work``; returns (wall seconds, mutmut's mutants/s, its output)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    cmd = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)]
    start = time.perf_counter()
    with open(work / "mutmut.log", "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out = []
        for line in proc.stdout:
            sys.stdout.write(line)
            log.write(line)
            out.append(line)
        code = proc.wait()
    wall = time.perf_counter() - start
    output = "".join(out)
    if code != 0:
        raise SystemExit(f"mutmut run failed (exit {code}); see {work / 'mutmut.log'}")
    rates = re.findall(r"([\d.]+) mutations/second", output)
    return wall, float(rates[-1]) if rates else None, output


def read_mutants(work: Path, modules: list[str]) -> list[dict]:
    """Every mutant of ``modules`` as mutmut left it in ``work``: where, what, and its outcome."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant, read_functions_from_index
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key

    flow = MessageFlow({p.stem: p.read_text(encoding="utf-8") for p in (work / "src" / "matgrad").glob("*.py")})
    cwd = os.getcwd()
    os.chdir(work)  # mutmut reads its config and files relative to the working folder
    try:
        mutants = []
        for module in modules:
            path = Path("src/matgrad") / f"{module}.py"
            data = SourceFileMutationData(path=path)
            data.load()
            def_lines = _def_lines(path.read_text(encoding="utf-8"))
            for key, exit_code in sorted(data.exit_code_by_key.items(), key=lambda kv: _key_order(kv[0])):
                function, cls = orig_function_and_class_names_from_key(key)
                qualname = f"{cls}.{function}" if cls else function
                functions = read_functions_from_index(key, path)
                if functions is None:
                    raise RuntimeError(f"mutmut has no line index for {key}: {get_diff_for_mutant(key, path=path)}")
                orig, mutated = (_code(f) for f in functions)
                change = _change(orig, mutated)
                mutants.append(
                    {
                        "module": module,
                        "function": qualname,
                        "line": def_lines[qualname] + change["offset"],
                        "original": change["original"],
                        "mutated": change["mutated"],
                        "status": _outcome(status_by_exit_code[exit_code]),
                        "message_only": flow.is_message_only(module, qualname, orig, mutated),
                        "name": key,
                    }
                )
        return mutants
    finally:
        os.chdir(cwd)


def _code(function) -> str:
    import libcst as cst

    return cst.Module([function]).code


def _key_order(key: str):
    name, _, number = key.rpartition("__mutmut_")
    return name, int(number) if number.isdigit() else 0


def _outcome(status: str) -> str:
    return {"killed": "killed", "timeout": "timeouts", "survived": "survived", "no tests": "no_tests"}.get(
        status, "other"
    )


def _def_lines(source: str) -> dict[str, int]:
    """The line of each top-level function's and method's ``def`` ("f", "Cls.m")."""
    lines = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines[node.name] = node.lineno
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines[f"{node.name}.{item.name}"] = item.lineno
    return lines


def _change(orig: str, mutated: str) -> dict:
    """The lines a mutant changes: their offset from the ``def`` line, the original and the mutated text."""
    a, b = orig.strip("\n").split("\n"), mutated.strip("\n").split("\n")
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    def_index = next(i for i, line in enumerate(a) if re.match(r"\s*(async\s+)?def\s", line))

    def text(lines):
        return " ".join(line.strip() for line in lines)

    return {
        "offset": start - def_index,
        "original": text(a[start : len(a) - end]),
        "mutated": text(b[start : len(b) - end]),
    }


# ---------------------------------------------------------------------------- error-message mutants
# A mutant is "message only" when it changes nothing but the text of an error: the arguments of a
# ``raise X(...)``, or a value that reaches only such arguments. The latter is found by a small
# data-flow analysis of the package: a parameter is a *message parameter* when every read of it
# is in a message position (``name`` in ``as_numeric(a, name)``), a local variable a *message
# variable* when every read is, and it is bound only by plain assignments or a ``for`` over a
# literal tuple of tuples. Message positions are the arguments of a raised exception, the
# arguments passed for a callee's message parameters, the right-hand sides of message variables
# and the defaults of message parameters. A mutant is message only when its function and the
# original become the same code once every message position is blanked.

_BLANK = "<message>"


def _function_defs(tree):
    return [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _builtin_exception(exc):
    """Whether ``exc`` is ``ValueError(...)`` or another built-in exception built from a message.

    Not matgrad's own exceptions: GradientCheckError carries the index and values it reports.
    """
    if not (isinstance(exc, ast.Call) and isinstance(exc.func, ast.Name)):
        return False
    cls = getattr(builtins, exc.func.id, None)
    return isinstance(cls, type) and issubclass(cls, Exception)


def _literal_rows(loop):
    """Whether a ``for`` unpacks names from a literal tuple (or list) of equally long tuples."""
    t, it = loop.target, loop.iter
    return (
        isinstance(t, ast.Tuple)
        and all(isinstance(e, ast.Name) for e in t.elts)
        and isinstance(it, ast.Tuple | ast.List)
        and all(isinstance(r, ast.Tuple) and len(r.elts) == len(t.elts) for r in it.elts)
    )


def _params(fn):
    a = fn.args
    return [p.arg for p in (*a.posonlyargs, *a.args)], [p.arg for p in a.kwonlyargs]


class MessageFlow:
    """Which parameters and local variables of each function of the package carry only error text."""

    def __init__(self, sources: dict[str, str]):
        self.trees = {m: ast.parse(src) for m, src in sources.items()}
        self.defs = {(m, fn.name): fn for m, t in self.trees.items() for fn in _function_defs(t)}
        self.names = {m: self._names(m, t) for m, t in self.trees.items()}
        self.params = {key: set() for key in self.defs}  # message parameters
        self.locals = {key: set() for key in self.defs}  # message variables
        changed = True
        while changed:  # least fixed point: nothing is a message value until shown to be one
            changed = False
            for key, fn in self.defs.items():
                params, locals_ = self._infer(key, fn)
                if params != self.params[key] or locals_ != self.locals[key]:
                    self.params[key], self.locals[key], changed = params, locals_, True

    def _names(self, module, tree):
        names = {fn.name: ("function", (module, fn.name)) for fn in _function_defs(tree)}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and (node.level == 1 or (node.module or "").startswith("matgrad")):
                source = (node.module or "").removeprefix("matgrad").lstrip(".") if node.level == 0 else node.module
                for alias in node.names:
                    local = alias.asname or alias.name
                    if not source:
                        names[local] = ("module", alias.name)
                    elif "." not in source:
                        names[local] = ("function", (source, alias.name))
        return names

    def resolve(self, module, func):
        """The package function a call's ``func`` names, as (module, name), following re-exports; else None."""
        entry = None
        if isinstance(func, ast.Name):
            entry = self.names.get(module, {}).get(func.id)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            alias = self.names.get(module, {}).get(func.value.id)
            if alias and alias[0] == "module":
                entry = ("function", (alias[1], func.attr))
        for _ in range(5):
            if entry is None or entry[0] != "function":
                return None
            key = entry[1]
            if key in self.defs:
                return key
            entry = self.names.get(key[0], {}).get(key[1])
        return None

    def message_args(self, module, call):
        """The argument expressions of ``call`` that land in message parameters of its callee."""
        key = self.resolve(module, call.func)
        if key is None or not self.params[key]:
            return []
        positional, _ = _params(self.defs[key])
        out = []
        for i, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                break
            if i < len(positional) and positional[i] in self.params[key]:
                out.append(arg)
        out += [k.value for k in call.keywords if k.arg in self.params[key]]
        return out

    def message_nodes(self, module, fn, params, locals_):
        """The expressions of ``fn`` in message positions (given its message parameters and variables)."""
        out = []
        positional, kwonly = _params(fn)
        a = fn.args
        for name, default in zip(positional[len(positional) - len(a.defaults) :], a.defaults, strict=True):
            if name in params:
                out.append(default)
        for name, default in zip(kwonly, a.kw_defaults, strict=True):
            if name in params and default is not None:
                out.append(default)
        for node in ast.walk(fn):
            if isinstance(node, ast.Raise) and _builtin_exception(node.exc):
                out += node.exc.args + [k.value for k in node.exc.keywords]
            elif isinstance(node, ast.Call):
                out += self.message_args(module, node)
            elif isinstance(node, ast.Assign):
                if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and node.targets[0].id in locals_:
                    out.append(node.value)
            elif isinstance(node, ast.For) and _literal_rows(node):
                for i, target in enumerate(node.target.elts):
                    if target.id in locals_:
                        out += [row.elts[i] for row in node.iter.elts]
        return out

    def _infer(self, key, fn):
        module = key[0]
        positional, kwonly = _params(fn)
        params, locals_ = self.params[key], self.locals[key]
        inside = set()
        for node in self.message_nodes(module, fn, params, locals_):
            inside |= {id(n) for n in ast.walk(node)}
        loads, stores = {}, {}
        for node in ast.walk(fn):
            if isinstance(node, ast.Name):
                (loads if isinstance(node.ctx, ast.Load) else stores).setdefault(node.id, []).append(node)
        only_messages = {name for name, ns in loads.items() if all(id(n) in inside for n in ns)}
        new_params = {p for p in (*positional, *kwonly) if p in only_messages and p not in stores}
        new_locals = {
            v for v in stores if v in only_messages and v not in positional + kwonly and self._bindings(fn, v)
        }
        return new_params, new_locals

    @staticmethod
    def _bindings(fn, name):
        """Whether ``name`` is bound only by ``name = ...`` or as a ``for`` target over a literal tuple of tuples."""

        def binds(node):
            return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))

        for node in ast.walk(fn):
            if isinstance(node, ast.Assign):
                if any(binds(t) for t in node.targets) and not (
                    len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                ):
                    return False
            elif isinstance(node, ast.For):
                if binds(node.target) and not _literal_rows(node):
                    return False
            elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.NamedExpr | ast.comprehension):
                if binds(node.target):
                    return False
            elif isinstance(node, ast.withitem):
                if node.optional_vars is not None and binds(node.optional_vars):
                    return False
            elif isinstance(node, ast.Delete | ast.Global | ast.Nonlocal):
                return False
        return True

    def blanked(self, module, function, source):
        """``source`` (one function) with every message position replaced by a placeholder, as ast.dump."""
        tree = ast.parse(source)
        fn = _function_defs(tree)[0]
        key = (module, function.split(".")[-1])
        params, locals_ = self.params.get(key, set()), self.locals.get(key, set())
        targets = {id(n) for n in self.message_nodes(module, fn, params, locals_)}

        class Blank(ast.NodeTransformer):
            def visit(self, node):
                if id(node) in targets:
                    return ast.Constant(_BLANK)
                return super().visit(node)

        return ast.dump(Blank().visit(tree))

    def is_message_only(self, module, function, orig, mutated):
        """Whether the mutant ``mutated`` of ``function`` changes only error text (see the comment above)."""
        if ast.dump(ast.parse(orig)) == ast.dump(ast.parse(mutated)):
            return False  # no change at all to the code: not a message mutant (nothing to count)
        return self.blanked(module, function, orig) == self.blanked(module, function, mutated)


# ---------------------------------------------------------------------------- judgements and the report


def load_judgements(path: Path = JUDGEMENTS, table: str = "equivalent") -> list[dict]:
    """The mutants of one table of the toml file: module, function, original, mutated (as in the report), reason.

    ``table`` is ``"equivalent"`` (judged equivalent) or ``"unpinned"`` (survivors left alone on purpose).
    """
    with open(path, "rb") as f:
        judgements = tomllib.load(f).get(table, [])
    for j in judgements:
        missing = {"module", "function", "original", "mutated", "reason"} - set(j)
        if missing or not j.get("reason", "").strip():
            raise ValueError(f"{path.name}: [[{table}]] entry {j} lacks {sorted(missing) or ['a reason']}")
    return judgements


def _same(mutant: dict, judgement: dict) -> bool:
    return all(mutant[k] == judgement[k] for k in ("module", "function", "original", "mutated"))


def _matched(entries: list[dict], mutants: list[dict], modules: list[str], what: str, problems: list[str]):
    """Each entry of a measured module with the surviving mutants it names; an entry that names no
    mutant (stale) or names one the pages killed (wrong) is added to ``problems``."""
    pairs = []
    for entry in entries:
        if entry["module"] not in modules:
            continue
        found = [m for m in mutants if _same(m, entry)]
        if not found:
            problems.append(f"{what} but no such mutant (stale?): {entry}")
        if any(m["status"] in ("killed", "timeouts") for m in found):
            problems.append(f"{what} but the pages killed it, so it is not: {entry}")
        pairs.append((entry, [m for m in found if m["status"] not in ("killed", "timeouts")]))
    return pairs


def classify(
    mutants: list[dict], judgements: list[dict], modules: list[str], unpinned: list[dict] | None = None
) -> list[dict]:
    """Give each mutant its kind (behaviour, message or equivalent, with the reason); check the judgements.

    ``unpinned`` entries give a surviving behaviour mutant the reason the pages leave it alone
    (``m["unpinned"]``); they stay survivors. Stale entries, or entries on a killed, equivalent or
    message mutant, fail like stale judgements.
    """
    problems: list[str] = []
    for judgement, found in _matched(judgements, mutants, modules, "judged equivalent", problems):
        for m in found:
            m["kind"], m["reason"] = "equivalent", judgement["reason"]
    for m in mutants:
        m.setdefault("kind", "message" if m["message_only"] else "behaviour")
    for entry, found in _matched(unpinned or [], mutants, modules, "listed as unpinned", problems):
        for m in found:
            if m["kind"] != "behaviour":
                problems.append(f"listed as unpinned but it is a {m['kind']} mutant: {entry}")
            m["unpinned"] = entry["reason"]
    if problems:
        raise SystemExit("\n".join(problems))
    return mutants


def _counts(mutants: list[dict]) -> dict:
    return {outcome: sum(m["status"] == outcome for m in mutants) for outcome in OUTCOMES} | {"mutants": len(mutants)}


def summarise(mutants: list[dict], module: str | None = None) -> dict:
    """Counts by outcome, overall and per kind, and the score: behaviour mutants killed / behaviour mutants."""
    ms = [m for m in mutants if module is None or m["module"] == module]
    by_kind = {kind: [m for m in ms if m["kind"] == kind] for kind in KINDS}
    behaviour = _counts(by_kind["behaviour"])
    detected = behaviour["killed"] + behaviour["timeouts"]
    return {
        **_counts(ms),
        "equivalent": len(by_kind["equivalent"]),
        "behaviour": behaviour,
        "message": _counts(by_kind["message"]),
        "score": round(detected / behaviour["mutants"], 4) if behaviour["mutants"] else None,
        "unpinned": sum(1 for m in by_kind["behaviour"] if m.get("unpinned")),
    }


def build_report(mutants, modules, *, wall_s, rate, provenance) -> dict:
    """The JSON written to docs/assets/mutation.json."""
    keep = ("module", "function", "line", "original", "mutated")
    mutants = sorted(mutants, key=lambda m: (m["module"], m["line"], _key_order(m["name"])))
    complete = sorted(modules) == all_modules()
    return {
        "tool": provenance["tool"],
        "suite": f"{SUITE}: each docs/*.md page as one test (one namespace, blocks in order), but reliability.md",
        "complete": complete,
        "modules_measured": sorted(modules),
        "note": None if complete else "a subset run: only the modules in modules_measured were mutated",
        "commit": provenance["commit"],
        "dirty": provenance["dirty"],
        "date": provenance["date"],
        "python": provenance["python"],
        "numpy": provenance["numpy"],
        "cores": os.cpu_count(),
        "wall_s": round(wall_s, 1),
        "mutants_per_s": round(len(mutants) / wall_s, 2),
        "mutmut_mutants_per_s": rate,
        "target": {"score": TARGET, "modules": [m for m in MATHS_MODULES if m in modules]},
        **summarise(mutants),
        "maths": summarise([m for m in mutants if m["module"] in MATHS_MODULES]),
        "modules": {m: {"maths": m in MATHS_MODULES, **summarise(mutants, m)} for m in sorted(modules)},
        "survivors": [
            {**{k: x[k] for k in keep}, "status": x["status"], "kind": x["kind"], "unpinned": x.get("unpinned")}
            for x in mutants
            if x["kind"] != "equivalent" and x["status"] not in ("killed", "timeouts")
        ],
        "equivalent_mutants": [
            {**{k: x[k] for k in keep}, "status": x["status"], "reason": x["reason"]}
            for x in mutants
            if x["kind"] == "equivalent"
        ],
    }


def validate_report(report: dict) -> None:
    """Raise ValueError unless ``report`` is a well-formed mutation report whose counts add up."""

    def need(cond, what):
        if not cond:
            raise ValueError(f"mutation report: {what}")

    for key in ("tool", "complete", "modules_measured", "commit", "date", "wall_s", "modules", "survivors"):
        need(key in report, f"missing {key!r}")
    need(set(report["modules"]) == set(report["modules_measured"]), "modules differ from modules_measured")
    need(report["complete"] == (sorted(report["modules_measured"]) == all_modules()), "'complete' is wrong")
    for name, s in [("total", report), *report["modules"].items()]:
        need(sum(s[o] for o in OUTCOMES) == s["mutants"], f"{name}: outcomes do not add up to the mutants")
        need(
            s["behaviour"]["mutants"] + s["message"]["mutants"] + s["equivalent"] == s["mutants"],
            f"{name}: kinds do not add up to the mutants",
        )
        for kind in ("behaviour", "message"):
            need(sum(s[kind][o] for o in OUTCOMES) == s[kind]["mutants"], f"{name}: {kind} outcomes do not add up")
        b = s["behaviour"]
        want = round((b["killed"] + b["timeouts"]) / b["mutants"], 4) if b["mutants"] else None
        need(s["score"] == want, f"{name}: score {s['score']} is not killed / behaviour mutants ({want})")
    for o in OUTCOMES:
        need(sum(s[o] for s in report["modules"].values()) == report[o], f"modules do not add up to the total {o}")
        maths = [s["behaviour"][o] for s in report["modules"].values() if s["maths"]]
        need(sum(maths) == report["maths"]["behaviour"][o], f"the maths modules do not add up to their total {o}")
    need(
        report["target"]["modules"] == [m for m in MATHS_MODULES if m in report["modules"]],
        "the target's modules are not the maths modules measured",
    )
    undetected = sum(
        s[kind][o]
        for s in report["modules"].values()
        for kind in ("behaviour", "message")
        for o in OUTCOMES
        if o not in ("killed", "timeouts")
    )
    need(len(report["survivors"]) == undetected, "the survivors list does not match the counts")
    need(len(report["equivalent_mutants"]) == report["equivalent"], "the equivalent list does not match the count")
    need(all(e["reason"].strip() for e in report["equivalent_mutants"]), "an equivalent mutant without a reason")
    reasons = [s for s in report["survivors"] if s.get("unpinned")]
    need(all(s["kind"] == "behaviour" for s in reasons), "an unpinned survivor that is not a behaviour mutant")
    for name, s in [("total", report), *report["modules"].items()]:
        n = sum(1 for x in reasons if name == "total" or x["module"] == name)
        need(s.get("unpinned", 0) == n, f"{name}: unpinned count {s.get('unpinned')} is not the survivors' ({n})")


# ---------------------------------------------------------------------------- the page


def markers(name: str) -> tuple[str, str]:
    return f"<!-- mutation:{name} -->\n", f"<!-- /mutation:{name} -->"


def page_section(text: str, name: str) -> str:
    """The text between ``<!-- mutation:NAME -->`` and ``<!-- /mutation:NAME -->`` (each exactly once)."""
    start, end = markers(name)
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ValueError(f"the page must contain {start.strip()} ... {end} exactly once, in that order")
    return text.split(start, 1)[1].split(end, 1)[0]


def _pct(x):
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _cell(code: str) -> str:
    # Python-Markdown's tables leave a | inside a code span alone (escaping it would show the backslash).
    return f"`` {code} ``" if "`" in code else f"`{code}`"


def page_sections(report: dict) -> dict[str, str]:
    """What docs/reliability.md shows between its markers, rendered from the report."""
    r = report
    scope = (
        "every module of `src/matgrad`"
        if r["complete"]
        else "**a subset only**: " + ", ".join(f"`{m}.py`" for m in r["modules_measured"])
    )
    dirty = " (with uncommitted changes)" if r["dirty"] else ""
    other = f", {r['other']} other" if r["other"] else ""
    summary = [
        f"Measured on {r['date'][:10]} at commit `{r['commit'][:10]}`{dirty} with {r['tool']},"
        f" Python {r['python']}, NumPy {r['numpy']}: {scope}.",
        f"{r['mutants']} mutants in {r['wall_s']:.0f} s on {r['cores']} cores ({r['mutants_per_s']:.2f} mutants/s):"
        f" {r['killed']} killed, {r['timeouts']} timed out, {r['survived']} survived,"
        f" {r['no_tests']} reached by no page{other}; {r['equivalent']} judged equivalent,"
        f" {r['message']['mutants']} only change an error message.",
    ]
    m = r["maths"]
    b = m["behaviour"]
    if b["mutants"]:
        met = "met" if m["score"] >= r["target"]["score"] else "**not met**"
        summary.append(
            f"The maths modules together: {b['killed'] + b['timeouts']} of {b['mutants']} behaviour mutants killed"
            f" by the pages, {_pct(m['score'])} (target {_pct(r['target']['score'])}: {met});"
            f" {m['unpinned']} of the {b['mutants'] - b['killed'] - b['timeouts']} survivors left alone on purpose,"
            " each with its reason below."
        )
    if not r["complete"]:
        only = ", ".join(f"`{m}.py`" for m in r["modules_measured"])
        verb = "was" if len(r["modules_measured"]) == 1 else "were"
        summary.insert(
            0, f'!!! warning "Subset run"\n    Only {only} {verb} mutated; the full measurement replaces this.\n'
        )
    rows = [
        "| module | mutants | behaviour | killed | survived | no page | of these with a reason | equivalent"
        " | messages killed | score |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in r["modules"].items():
        b, msg = s["behaviour"], s["message"]
        rows.append(
            f"| `{name}`{' (maths)' if s['maths'] else ''} | {s['mutants']} | {b['mutants']} |"
            f" {b['killed'] + b['timeouts']} | {b['survived'] + b['other']} | {b['no_tests']} |"
            f" {s.get('unpinned', 0)} |"
            f" {s['equivalent']} |"
            f" {msg['killed'] + msg['timeouts']} of {msg['mutants']} | {_pct(s['score'])} |"
        )
    survivors = [s for s in r["survivors"] if s["kind"] == "behaviour" and not s.get("unpinned")]
    reasoned = [s for s in r["survivors"] if s["kind"] == "behaviour" and s.get("unpinned")]
    unpinned = (
        ["| where | function | code | mutant | outcome | why the pages leave it |", "|---|---|---|---|---|---|"]
        + [
            f"| `{s['module']}.py:{s['line']}` | `{s['function']}` | {_cell(s['original'])} | {_cell(s['mutated'])} |"
            f" {'no page reaches it' if s['status'] == 'no_tests' else s['status']} | {s['unpinned']} |"
            for s in reasoned
        ]
        if reasoned
        else ["None."]
    )
    surv = (
        ["| where | function | code | mutant | outcome |", "|---|---|---|---|---|"]
        + [
            f"| `{s['module']}.py:{s['line']}` | `{s['function']}` | {_cell(s['original'])} | {_cell(s['mutated'])} |"
            f" {'no page reaches it' if s['status'] == 'no_tests' else s['status']} |"
            for s in survivors
        ]
        if survivors
        else ["None."]
    )
    eq = (
        ["| where | function | code | mutant | why it is equivalent |", "|---|---|---|---|---|"]
        + [
            f"| `{e['module']}.py:{e['line']}` | `{e['function']}` | {_cell(e['original'])} | {_cell(e['mutated'])} |"
            f" {e['reason']} |"
            for e in r["equivalent_mutants"]
        ]
        if r["equivalent_mutants"]
        else ["None judged yet."]
    )
    return {
        "summary": "\n" + "\n\n".join(summary) + "\n\n",
        "modules": "\n" + "\n".join(rows) + "\n\n",
        "survivors": "\n" + "\n".join(surv) + "\n\n",
        "unpinned": "\n" + "\n".join(unpinned) + "\n\n",
        "equivalent": "\n" + "\n".join(eq) + "\n\n",
    }


def updated_page(text: str, report: dict) -> str:
    for name, body in page_sections(report).items():
        start, _ = markers(name)
        text = text.replace(start + page_section(text, name), start + body, 1)
    return text


# ---------------------------------------------------------------------------- main


def _git(*args) -> str:
    """A git command's output in the repository, or "unknown" outside a git checkout."""
    run = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return run.stdout.strip() if run.returncode == 0 else "unknown"


def provenance() -> dict:
    from importlib.metadata import version

    import numpy as np

    commit = _git("rev-parse", "HEAD")
    return {
        "tool": f"mutmut {version('mutmut')}",
        "commit": commit,
        "dirty": None if commit == "unknown" else _git("status", "--porcelain", "--", "src", "docs", "tests") != "",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--modules", nargs="+", default=None, help="modules of src/matgrad to mutate (default: all)")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--work", type=Path, default=WORK, help="scratch folder (deleted and made afresh)")
    parser.add_argument("--no-save", action="store_true", help="print the summary; write neither JSON nor page")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="no new run: classify the last run's mutants in --work again (after editing the judgements)",
    )
    args = parser.parse_args(argv)
    judgements = load_judgements()
    page_section(PAGE.read_text(encoding="utf-8"), "summary")  # the page has its markers before we measure

    if args.reuse:
        run = json.loads((args.work / "run.json").read_text(encoding="utf-8"))
        if args.modules and sorted(args.modules) != run["modules"]:
            parser.error(f"the last run measured {run['modules']}, not {sorted(args.modules)}")
    else:
        modules = sorted(args.modules or all_modules())
        unknown = set(modules) - set(all_modules())
        if unknown:
            parser.error(f"no such module in src/matgrad: {sorted(unknown)}")
        prov = provenance()
        prepare(args.work, modules)
        wall, rate, _ = run_mutmut(args.work, args.max_children)
        run = {"modules": modules, "wall_s": wall, "rate": rate, "provenance": prov}
        (args.work / "run.json").write_text(json.dumps(run, indent=1) + "\n", encoding="utf-8")
    modules = run["modules"]
    mutants = classify(read_mutants(args.work, modules), judgements, modules, load_judgements(table="unpinned"))
    report = build_report(mutants, modules, wall_s=run["wall_s"], rate=run["rate"], provenance=run["provenance"])
    validate_report(report)
    print(page_sections(report)["summary"] + page_sections(report)["modules"])
    if not args.no_save:
        REPORT.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        PAGE.write_text(updated_page(PAGE.read_text(encoding="utf-8"), report), encoding="utf-8")
        print(f"wrote {REPORT.relative_to(ROOT)} and {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
