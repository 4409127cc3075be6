"""Execute each notebook once per state of the code, and reuse the result everywhere.

A notebook's outputs depend on more than its own text: on the library it imports and on the pinned
toolchain. mkdocs-jupyter's own cache keys on the notebook text only, so here it is switched off and
this module keeps the cache instead, in ``.cache/notebooks/`` (git-ignored: a clean clone executes
everything). An entry is the executed notebook (``<name>-<key>.ipynb``), keyed on the SHA-256 of

- the notebook's text,
- every file under ``src/`` (code and data; ``__pycache__`` left out),
- the lock files ``requirements-dev.txt``, ``package-lock.json`` and ``pyproject.toml``,
- this module's source and hooks/cache.py's (how notebooks are executed and stored) and the
  Python version,

so a change to any of them executes the notebook again; an entry is never "stale", it is simply
not found. Beside it, ``<name>-<key>.<options>.json`` keeps the HTML mkdocs-jupyter renders from
it (``options``: a hash of the plugin's settings), so a warm build converts nothing.

Execution is the same for everyone: tests/site/test_notebooks.py and every ``mkdocs build`` or
``mkdocs serve`` call :func:`executed`. It runs the notebook in a real Jupyter kernel (nbclient, the
``python3`` kernel of the venv, as mkdocs-jupyter does), in an empty temporary working directory,
with ``src/`` first on the kernel's path and the inline backend (MPLBACKEND is removed: Agg would
drop the plots), errors fatal (``allow_errors: false``) and every warning a cell raises an error,
as in the rest of the test suite. A failing notebook is not stored, so it fails every run.

Concurrency (pytest-xdist runs the notebook tests and the browser test's build at once): each
notebook has a lock file, held (``fcntl.flock``) while its entry is looked up, executed, rendered
or evicted. Whoever comes first executes; the others wait, then read the stored entry. Entries are
written to a temporary name and renamed, so nobody ever reads half an entry.

The mkdocs side (the events below): ``on_config`` turns the plugin's own cache off; ``on_files``
starts executing the notebooks that are not cached yet, two at a time (one per core) in background
threads while mkdocs renders the other pages; each notebook page's ``render`` waits for its
notebook, then renders it with mkdocs-jupyter (or reads the stored HTML). With ``execute: false`` in
mkdocs.yml this hook does nothing and the plugin renders unexecuted notebooks itself.

``MATGRAD_NOTEBOOK_CACHE=<dir>`` puts the cache elsewhere (an empty folder: a cold build).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import importlib.util
import json
import logging
import os
import tempfile
import threading
from pathlib import Path

import jupytext
import nbformat
from mkdocs.plugins import event_priority
from mkdocs.structure.toc import get_toc

ROOT = Path(__file__).resolve().parent.parent


def _load_cache():
    """hooks/cache.py, the shared cache machinery, loaded from beside this file (mkdocs loads hook
    files one by one, so the hooks package may not be importable from where a build runs)."""
    spec = importlib.util.spec_from_file_location("matgrad_hooks_cache", Path(__file__).with_name("cache.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_cache = _load_cache()
LOCK_FILES = _cache.LOCK_FILES  # in every key (hooks/cache.py)
KERNEL = "python3"
CELL_TIMEOUT = 600  # seconds per cell: a notebook that hangs fails instead of blocking CI forever
KEEP = 3  # executed states kept per notebook (switching branches back and forth stays warm)
log = logging.getLogger("mkdocs.hooks.notebook_cache")

# Run by the kernel before the first cell (IPython exec_lines). Each cell runs with every warning
# turned into an error; outside the cells (kernel start-up and shutdown) the kernel's own warnings
# are left alone. Nothing is left in the notebook's namespace.
CELL_WARNINGS_ARE_ERRORS = """
def _matgrad_warnings_are_errors():
    import warnings
    windows = []
    def pre_run_cell(info):
        windows.append(warnings.catch_warnings())
        windows[-1].__enter__()
        warnings.simplefilter("error")
    def post_run_cell(result):
        windows.pop().__exit__(None, None, None)
    get_ipython().events.register("pre_run_cell", pre_run_cell)
    get_ipython().events.register("post_run_cell", post_run_cell)
_matgrad_warnings_are_errors()
del _matgrad_warnings_are_errors
"""


def cache_dir(root: Path | None = None) -> Path:
    """Where the entries live: $MATGRAD_NOTEBOOK_CACHE, or <root>/.cache/notebooks."""
    return _cache.cache_dir("notebooks", "MATGRAD_NOTEBOOK_CACHE", root)


HOOK_FILES = (Path(__file__).resolve(), Path(_cache.__file__).resolve())
"""How notebooks are executed and cached: this module and hooks/cache.py, in every key."""


def environment_digest(root: Path | None = None) -> str:
    """SHA-256 of what every notebook depends on besides its own text (see the module docstring):
    hooks/cache.py's digest of src/, the lock files and Python, with `HOOK_FILES` added."""
    return _cache.environment_digest(root or ROOT, extra=HOOK_FILES)


def notebook_key(path: Path, root: Path | None = None, environment: str | None = None) -> str:
    """The key of a notebook's executed entry: its text and the environment digest."""
    digest = hashlib.sha256((environment or environment_digest(root)).encode())
    digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:32]


def execute(path: Path, root: Path | None = None) -> nbformat.NotebookNode:
    """Execute a jupytext notebook in a fresh kernel and return it with its outputs.

    Raises nbclient's CellExecutionError (the failing cell and its traceback) when a cell raises,
    a warning included.
    """
    from nbclient import NotebookClient
    from traitlets.config import Config

    root = root or ROOT
    notebook = jupytext.read(path)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # Agg would drop the plots
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root / "src"), env.get("PYTHONPATH")) if p)
    with (
        tempfile.TemporaryDirectory(prefix="matgrad-notebook-") as cwd,
        tempfile.TemporaryDirectory(prefix="matgrad-kernel-") as sockets,
    ):
        # IPC (Unix sockets in a private folder), not TCP: no port to race for with other kernels
        # starting at the same moment, and no unencrypted-TCP warning on every build.
        transport = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}})
        client = NotebookClient(
            notebook,
            config=transport,
            kernel_name=KERNEL,
            allow_errors=False,
            timeout=CELL_TIMEOUT,
            record_timing=False,  # no timestamps: the same inputs give the same entry
            resources={"metadata": {"path": cwd}},  # the kernel's working directory: empty, temporary
            extra_arguments=[f"--InteractiveShellApp.exec_lines={CELL_WARNINGS_ARE_ERRORS}"],
        )
        client.execute(env=env)
    return notebook


def _entries(path: Path, root: Path | None):
    folder = cache_dir(root)
    return folder, folder / f"{Path(path).stem}.lock"


def executed(path: Path, root: Path | None = None, environment: str | None = None):
    """The executed notebook, from the cache or executed now (and stored); and whether it was now.

    Returns ``(notebook, key, ran)``. Raises what :func:`execute` raises; nothing is stored then.
    """
    folder, lock = _entries(path, root)
    stem = Path(path).stem
    key = notebook_key(path, root, environment)
    entry = folder / f"{stem}-{key}.ipynb"
    with _cache.locked(lock):
        if entry.is_file():
            os.utime(entry)  # most recently used
            return nbformat.read(entry, as_version=4), key, False
        notebook = execute(path, root)
        _cache.write_atomically(entry, nbformat.writes(notebook))
        # drop all but the KEEP most recently used states, each with the rendered HTML beside it
        _cache.evict(folder, stem, keep=key, states=KEEP, suffix=".ipynb", siblings=True)
    return notebook, key, True


class _ExecutedNotebook:
    """Stands in for the ``jupytext`` module inside mkdocs-jupyter's converter for one call: its
    ``read`` returns the executed notebook instead of re-reading the unexecuted source."""

    def __init__(self, notebook):
        self._notebook = notebook

    def read(self, *args, **kwargs):
        return self._notebook

    writes = staticmethod(jupytext.writes)


_CONVERTER = threading.Lock()


def _render_executed(nbconvert2, path: Path, notebook, options: dict) -> str:
    """mkdocs-jupyter's own conversion (nb2html: template, filters, highlighting) of an executed
    notebook: its ``jupytext.read`` is pointed at the notebook in hand for the call."""
    saved, nbconvert2.jupytext = nbconvert2.jupytext, _ExecutedNotebook(notebook)
    try:
        return nbconvert2.nb2html(
            str(path),
            execute=False,  # executed already, by execute()
            kernel_name=options["kernel_name"],
            theme=options["theme"],
            allow_errors=options["allow_errors"],
            show_input=options["show_input"],
            no_input=options["no_input"],
            no_prompt=options["no_prompt"],
            remove_tag_config=options["remove_tag_config"],
            highlight_extra_classes=options["highlight_extra_classes"],
            include_requirejs=options["include_requirejs"],
            custom_mathjax_url=options["custom_mathjax_url"],
        )
    finally:
        nbconvert2.jupytext = saved


def render_options(plugin_config) -> dict:
    """The plugin settings that shape the HTML (everything but its cache settings)."""
    return {k: v for k, v in dict(plugin_config).items() if k not in ("cache", "cache_dir")}


def rendered(path: Path, notebook, key: str, options: dict, root: Path | None = None):
    """mkdocs-jupyter's HTML of an executed notebook, its TOC tokens and title; cached beside it.

    Called by the thread that renders the pages (the background threads only execute); the swap of
    the converter's ``jupytext`` is also guarded by a lock.
    """
    from mkdocs_jupyter import nbconvert2
    from mkdocs_jupyter import plugin as jupyter_plugin

    folder, lock = _entries(path, root)
    options_key = hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode()).hexdigest()[:16]
    entry = folder / f"{Path(path).stem}-{key}.{options_key}.json"
    with _cache.locked(lock):
        if entry.is_file():
            cached = json.loads(entry.read_text(encoding="utf-8"))
            return cached["content"], cached["toc_tokens"], cached["title"]
        with _CONVERTER:
            content = _render_executed(nbconvert2, path, notebook, options)
            toc_tokens, title = jupyter_plugin._get_nb_toc_tokens(str(path), options["toc_depth"])  # from the text
        if entry.parent.is_dir():
            for other in entry.parent.glob(f"{Path(path).stem}-{key}.*.json"):  # older plugin settings
                other.unlink()
        _cache.write_atomically(entry, json.dumps({"content": content, "toc_tokens": toc_tokens, "title": title}))
    return content, toc_tokens, title


# --- mkdocs events --------------------------------------------------------------------------------

_state: dict = {}


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@event_priority(100)
def on_config(config):
    plugin = config.plugins["mkdocs-jupyter"]
    plugin.config["cache"] = False  # keyed on the notebook text only: this hook caches instead
    _state.clear()
    _state["plugin"] = plugin
    _state["root"] = Path(config.config_file_path).resolve().parent  # the project whose src/ is hashed
    return config


@event_priority(-100)  # after mkdocs-jupyter has made the notebooks pages
def on_files(files, config):
    plugin = _state["plugin"]
    if not plugin.config["execute"] or plugin.config["execute_ignore"]:
        return files  # not our case: the plugin renders (and executes) as configured
    if plugin.config["allow_errors"]:
        from mkdocs.exceptions import PluginError

        raise PluginError("hooks/notebook_cache.py executes notebooks with allow_errors: false only")
    notebooks = [f.abs_src_path for f in files.documentation_pages() if plugin.should_include(f)]
    if not notebooks:
        return files
    root = _state["root"]
    environment = environment_digest(root)
    pool = concurrent.futures.ThreadPoolExecutor(min(len(notebooks), _cores()), thread_name_prefix="notebook")
    _state["pool"] = pool
    _state["jobs"] = {path: pool.submit(executed, Path(path), root, environment) for path in notebooks}
    return files


@event_priority(-100)  # after mkdocs-jupyter's on_pre_page has set the page's render
def on_pre_page(page, config, files):
    job = _state.get("jobs", {}).get(page.file.abs_src_path)
    if job is None:
        return page
    options = render_options(_state["plugin"].config)

    def render(self, config, files):
        notebook, key, ran = job.result()  # a failing notebook raises here and fails the build
        log.info("%s: %s", self.file.src_uri, "executed" if ran else f"reused the execution stored under {key}")
        content, toc_tokens, title = rendered(Path(self.file.abs_src_path), notebook, key, options, _state["root"])
        self.content = content
        self.toc = get_toc(toc_tokens)
        if title is not None and not options["ignore_h1_titles"]:
            self.title = title

    page.render = render.__get__(page, type(page))
    return page


def _shutdown():
    pool = _state.pop("pool", None)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def on_post_build(config):
    _shutdown()


def on_build_error(error):
    _shutdown()
