"""The snippets prepared for pages other engineers own (to paste once their edits land) run and assert."""

import re
import textwrap
from pathlib import Path

import pytest

SNIPPETS = sorted((Path(__file__).parent / "snippets").glob("*.md"))


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.name)
def test_snippet_blocks_run(path, capsys):
    text = path.read_text(encoding="utf-8")
    blocks = [textwrap.dedent(b) for b in re.findall(r"^ *```python\n(.*?)^ *```", text, re.S | re.M)]
    assert blocks
    namespace = {}
    for block in blocks:
        exec(compile(textwrap.dedent(block), str(path), "exec"), namespace)
    assert capsys.readouterr().out.count("\n") >= 5  # one line per mistake
