"""Smoke tests: each benchmark script runs end to end on a tiny sample.

The benchmarks themselves are never run here; see benchmarks/ and the README.
Each runs on data made from the seeds, in the shared data's layout, and on the
shared data itself when it is there (where the figures also mean something).
"""

import codecs
import csv
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SENTENCES, SHARED_DATA, write_news

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seed_data(tmp_path_factory) -> Path:
    """A shared data folder made from the seeds: a VNTC archive and a ViCoV19QA set.

    The archive holds :func:`write_news`'s articles as VNTC has them (UTF-16LE
    with BOM, CRLF, ``Test_Full/<topic>/<name>.txt``); each answer is a seed
    sentence, asked for by its first eight words.
    """
    import tarfile

    root = tmp_path_factory.mktemp("seed-data")
    news = root / "news"
    write_news(news)
    (root / "vntc").mkdir()
    with tarfile.open(root / "vntc" / "VNTC_Test_Full.tar.gz", "w:gz") as tar:
        for path in sorted(news.rglob("*.txt")):
            text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
            path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
            tar.add(path, f"Test_Full/{path.parent.name}/{path.name}")
    (root / "vicov19qa").mkdir()
    for split, part in {"train": slice(0, 40), "val": slice(40, 50), "test": slice(50, 60)}.items():
        with open(root / "vicov19qa" / f"UIT-ViCoV19QA_1ans_{split}.csv", "w", encoding="utf-8", newline="") as f:
            rows = csv.writer(f, delimiter="|")
            rows.writerow(["id", "Question", "Answer_1"])
            for n, sentence in enumerate(SENTENCES[part], start=part.start):
                rows.writerow([n, " ".join(sentence.split()[:8]) + "?", sentence])
    return root


def on_data(name: str):
    """Run the test on the seed-made data and on the shared data set ``name`` (if there)."""
    return pytest.mark.parametrize(
        "data", ["seeds", pytest.param("shared", marks=pytest.mark.shared_data(name))], indirect=True
    )


@pytest.fixture
def data(request, seed_data: Path) -> Path:
    return seed_data if request.param == "seeds" else SHARED_DATA


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


@on_data("vntc")
def test_speed_benchmark_runs_on_a_tiny_corpus(data: Path, tmp_path: Path) -> None:
    out = run("speed.py", "--n", "20", "--queries", "20", "--data", str(data),
              "--work", str(tmp_path / "work"), "--out", str(tmp_path))  # fmt: skip
    for label in ("build: wall time (s)", "query p50 (ms)", "add 1 article (ms)", "cold search"):
        assert label in out
    assert "vnsearch ÷ FTS5" in out
    assert (tmp_path / "speed-latest.md").is_file()


@on_data("vicov19qa")
def test_relevance_benchmark_runs_on_a_few_questions(data: Path) -> None:
    rows = table_rows(run("relevance.py", "--data", str(data / "vicov19qa"), "--split", "val", "--limit", "10"))
    assert [row[0] for row in rows] == ["vnsearch", "SQLite FTS5", "Whoosh (StandardAnalyzer)"]
    # vnsearch ranks most of the ten answers in its top 10 (of 100 real ones, or the seeds' 60)
    recall_10 = float(rows[0][2])
    assert recall_10 >= 0.5


@on_data("vntc")
def test_segmentation_benchmark_finds_pyvis_words_on_a_few_articles(data: Path, tmp_path: Path) -> None:
    out = run("segmentation.py", "--n", "20", "--data", str(data), "--out", str(tmp_path))
    assert "| differing articles | 0 | 0 |" in out
    assert "| articles compared | 20 | 20 |" in out
    assert "vnsearch ÷ pyvi" in out
    assert (tmp_path / "segmentation-latest.md").is_file()


@on_data("vicov19qa")
def test_suggestions_benchmark_restores_most_words(data: Path) -> None:
    rows = table_rows(run("suggestions.py", "--data", str(data / "vicov19qa"), "--split", "val", "--limit", "20"))
    assert [row[0] for row in rows] == ["vnsearch", "most frequent form (no context)", "pyvi ViDiac"]
    words_right = [float(row[1]) for row in rows]
    assert words_right[0] >= 0.7 and words_right[0] >= words_right[2]
