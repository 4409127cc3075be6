"""benchmarks.cli: --json, --save into a temp dir, --from-json, and the checks made before measuring."""

import json
import shutil

import pytest

from benchmarks.cli import main, parse_args
from benchmarks.page import page_section, page_sections
from benchmarks.paths import ROOT, SAVE_PATHS
from benchmarks.records import validate_records
from benchmarks.report import markdown_tables

TINY_ARGS = ["--quick", "--keep-blas-env", "--impl", "matgrad", "--shape", "6,4,5,3", "--shape", "5,2,4"]


def test_command_line_writes_json_markdown_machine_and_plot(tmp_path):
    names = {"json": "r.json", "machine": "m.json", "md": "r.md", "plot": "p.png"}
    paths = {k: tmp_path / name for k, name in names.items()}
    outputs = {"--json": "json", "--machine-json": "machine", "--markdown": "md", "--plot": "plot"}
    main([*TINY_ARGS, "--dtype", "float32", *(a for o, k in outputs.items() for a in (o, str(paths[k])))])
    records = json.loads(paths["json"].read_text())
    assert len(records) == 4 and {r["implementation"] for r in records} == {"floor", "matgrad"}
    validate_records(records)
    machine = json.loads(paths["machine"].read_text())
    assert machine["cores"] >= 1 and "OPENBLAS_CORETYPE" in machine["env"]
    assert machine["samples"]["taken"] == 4 * 3 and machine["duration_s"] >= 0
    text = paths["md"].read_text()
    assert markdown_tables(records) in text and "## Machine" in text
    assert "Reproduce: `python -m benchmarks --quick --keep-blas-env --impl matgrad" in text
    assert paths["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def checkout(tmp_path):
    """A temp dir laid out as a checkout for --save: only docs/benchmark.md, copied."""
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "benchmark.md", tmp_path / "docs" / "benchmark.md")
    return tmp_path


def test_save_writes_the_record_and_refreshes_the_page(checkout):
    records = main([*TINY_ARGS, "--dtype", "float64", "--save", "--save-dir", str(checkout)])
    for rel in SAVE_PATHS.values():
        assert (checkout / rel).stat().st_size > 0, rel
    assert json.loads((checkout / SAVE_PATHS["json"]).read_text()) == records
    machine = json.loads((checkout / SAVE_PATHS["machine_json"]).read_text())
    page = (checkout / SAVE_PATHS["page"]).read_text()
    for name, body in page_sections(records, machine).items():
        assert page_section(page, name) == body
    report = (checkout / SAVE_PATHS["markdown"]).read_text()
    assert "<!-- written by `python -m benchmarks --save`; do not edit by hand -->" in report
    assert (checkout / SAVE_PATHS["plot"]).read_text().startswith("<?xml")
    assert not (ROOT / "benchmarks" / "results.json").samefile(checkout / SAVE_PATHS["json"])


def test_from_json_rewrites_the_reports_without_measuring(checkout, tmp_path_factory):
    main([*TINY_ARGS, "--dtype", "float32", "--save", "--save-dir", str(checkout)])
    saved = {rel: (checkout / rel).read_bytes() for rel in SAVE_PATHS.values()}
    (checkout / SAVE_PATHS["markdown"]).unlink()
    (checkout / SAVE_PATHS["plot"]).unlink()
    page = checkout / SAVE_PATHS["page"]
    page.write_text(page.read_text().replace("| 6, 4, 5, 3 |", "| stale |"))
    main(["--from-json", str(checkout / SAVE_PATHS["json"]), "--save", "--save-dir", str(checkout)])
    assert {rel: (checkout / rel).read_bytes() for rel in SAVE_PATHS.values()} == saved
    # and elsewhere: the same report from the record alone
    out = tmp_path_factory.mktemp("again") / "r.md"
    main(["--from-json", str(checkout / SAVE_PATHS["json"]), "--markdown", str(out)])
    assert markdown_tables(json.loads((checkout / SAVE_PATHS["json"]).read_text())) in out.read_text()


def test_a_page_without_markers_fails_before_anything_is_measured(checkout, monkeypatch):
    page = checkout / SAVE_PATHS["page"]
    page.write_text("# Benchmark\n")
    monkeypatch.setattr("benchmarks.cli.run_benchmark", lambda *a, **k: pytest.fail("measured"))
    with pytest.raises(SystemExit, match="benchmark:tables"):
        main([*TINY_ARGS, "--save", "--save-dir", str(checkout)])
    assert not (checkout / SAVE_PATHS["json"]).exists()


def test_save_defaults_to_this_checkout_and_save_dir_needs_save(tmp_path, capsys):
    args = parse_args(["--save"])
    assert args.json == str(ROOT / "benchmarks" / "results.json") and args.page == str(ROOT / "docs" / "benchmark.md")
    elsewhere = parse_args(["--save", "--save-dir", str(tmp_path)])
    assert elsewhere.plot == str(tmp_path / "docs" / "assets" / "benchmark.svg")
    with pytest.raises(SystemExit):
        parse_args(["--save-dir", str(tmp_path)])
    assert "--save-dir needs --save" in capsys.readouterr().err
