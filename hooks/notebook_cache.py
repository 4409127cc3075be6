"""Decide when mkdocs-jupyter may reuse an executed notebook.

mkdocs-jupyter keys its cache on the notebook's own text only, so a change in src/matgrad would
leave a cached notebook showing outputs of the old code. Here:

- ``mkdocs build`` (CI, the tests, publishing) never uses the cache: every notebook executes.
- ``mkdocs serve`` caches, in a folder named after a hash of src/ (code and data), so editing a
  page reloads quickly, and editing the library re-executes every notebook.
"""

import hashlib
import shutil
from pathlib import Path

from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parent.parent
CACHE_ROOT = ROOT / ".cache" / "mkdocs-jupyter"
_command = "build"


def on_startup(command, dirty):
    global _command
    _command = command


def _src_digest():
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@event_priority(100)
def on_config(config):
    plugin = config.plugins["mkdocs-jupyter"]
    if _command != "serve":
        plugin.config["cache"] = False
        return config
    cache_dir = CACHE_ROOT / _src_digest()
    for stale in CACHE_ROOT.glob("*"):  # outputs of an older src/ are never shown again
        if stale.is_dir() and stale != cache_dir:
            shutil.rmtree(stale, ignore_errors=True)
        elif stale.is_file():
            stale.unlink()
    plugin.config["cache"] = True
    plugin.config["cache_dir"] = str(cache_dir)
    return config
