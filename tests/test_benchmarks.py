"""Smoke tests: each benchmark script runs end to end on a tiny sample.

The benchmarks themselves are never run here; see benchmarks/ and the README.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def table_rows(out: str) -> list[list[str]]:
    """The cells of a Markdown table's rows, header and rule left out."""
    lines = [line for line in out.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[1:]]


@pytest.mark.skipif(not (DATA / "vntc").is_dir(), reason="shared VNTC data not present")
def test_speed_benchmark_runs_on_a_tiny_corpus(tmp_path):
    out = run("speed.py", "--n", "20", "--queries", "20", "--work", str(tmp_path / "work"), "--out", str(tmp_path))
    for label in ("build: wall time (s)", "query p50 (ms)", "add 1 article (ms)", "cold search"):
        assert label in out
    assert "vnsearch ÷ FTS5" in out
    assert (tmp_path / "speed-latest.md").is_file()


@pytest.mark.skipif(not (DATA / "vicov19qa").is_dir(), reason="shared ViCoV19QA data not present")
def test_relevance_benchmark_runs_on_a_few_questions():
    rows = table_rows(run("relevance.py", "--split", "val", "--limit", "10"))
    assert [row[0] for row in rows] == ["vnsearch", "SQLite FTS5", "Whoosh (StandardAnalyzer)"]
    # on a 100-answer corpus, vnsearch ranks most of the ten answers in its top 10
    recall_10 = float(rows[0][2])
    assert recall_10 >= 0.5


@pytest.mark.skipif(not (DATA / "vntc").is_dir(), reason="shared VNTC data not present")
def test_segmentation_benchmark_finds_pyvis_words_on_a_few_articles(tmp_path):
    out = run("segmentation.py", "--n", "20", "--out", str(tmp_path))
    assert "| differing articles | 0 | 0 |" in out
    assert "| articles compared | 20 | 20 |" in out
    assert "vnsearch ÷ pyvi" in out
    assert (tmp_path / "segmentation-latest.md").is_file()


@pytest.mark.skipif(not (DATA / "vicov19qa").is_dir(), reason="shared ViCoV19QA data not present")
def test_suggestions_benchmark_restores_most_words():
    rows = table_rows(run("suggestions.py", "--split", "val", "--limit", "20"))
    assert [row[0] for row in rows] == ["vnsearch", "most frequent form (no context)", "pyvi ViDiac"]
    words_right = [float(row[1]) for row in rows]
    assert words_right[0] >= 0.7 and words_right[0] >= words_right[2]
