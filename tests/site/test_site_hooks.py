"""hooks/notebook_cache.py: a build always executes the notebooks; serve caches them per src/ state."""

import importlib.util
from types import SimpleNamespace

import pytest

from tests.site.harness import ROOT


@pytest.fixture
def hook(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("notebook_cache_under_test", ROOT / "hooks" / "notebook_cache.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "core.py").write_text("x = 1\n")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "CACHE_ROOT", tmp_path / ".cache" / "mkdocs-jupyter")
    return module


def _config():
    return SimpleNamespace(plugins={"mkdocs-jupyter": SimpleNamespace(config={"cache": True})})


def _plugin_config(hook, command):
    hook.on_startup(command=command, dirty=False)
    return hook.on_config(_config()).plugins["mkdocs-jupyter"].config


@pytest.mark.parametrize("command", ["build", "gh-deploy"])
def test_builds_never_use_the_cache(hook, command):
    assert _plugin_config(hook, command)["cache"] is False


def test_serve_caches_per_state_of_src(hook):
    first = _plugin_config(hook, "serve")
    assert first["cache"] is True
    assert _plugin_config(hook, "serve")["cache_dir"] == first["cache_dir"]  # unchanged src: reuse

    (hook.CACHE_ROOT / first["cache_dir"].rsplit("/", 1)[-1]).mkdir(parents=True)
    (hook.CACHE_ROOT / "0123abcd.json").write_text("{}")  # the plugin's default layout, also stale
    (hook.ROOT / "src" / "pkg" / "core.py").write_text("x = 2\n")  # the library changed
    second = _plugin_config(hook, "serve")
    assert second["cache_dir"] != first["cache_dir"]  # so every notebook executes again
    assert [p.name for p in hook.CACHE_ROOT.iterdir()] == []  # and the stale outputs are gone
