"""Smoke tests: each benchmark script runs end to end on a tiny sample.

The benchmarks themselves are never run here; see benchmarks/ and the README.
Each runs on data made from the seeds, in the shared data's layout, and on a
sample of the shared data when it is there: real articles and questions (where
the figures also mean something), in the same layout but a few hundred of
them, so no run reads the whole 58 MB archive or indexes 4,500 answers.
"""

import codecs
import csv
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import ROOT, SENTENCES, SHARED_DATA, made_once, write_news

pytestmark = pytest.mark.slow


def pack_vntc(articles: Path, data: Path) -> None:
    """``data/vntc/VNTC_Test_Full.tar.gz``: the files of ``articles/<topic>/`` as ``Test_Full/<topic>/``."""
    (data / "vntc").mkdir()
    with tarfile.open(data / "vntc" / "VNTC_Test_Full.tar.gz", "w:gz") as tar:
        for path in sorted(articles.glob("*/*.txt")):
            tar.add(path, f"Test_Full/{path.parent.name}/{path.name}")


def write_questions(data: Path, rows: dict[str, list[list[str]]]) -> None:
    """``data/vicov19qa/``: a CSV file of ``[id, question, answer]`` rows for each split."""
    (data / "vicov19qa").mkdir()
    for split, split_rows in rows.items():
        with open(data / "vicov19qa" / f"UIT-ViCoV19QA_1ans_{split}.csv", "w", encoding="utf-8", newline="") as f:
            csv.writer(f, delimiter="|").writerows([["id", "Question", "Answer_1"], *split_rows])


@pytest.fixture(scope="module")
def seed_data(tmp_path_factory) -> Path:
    """A shared data folder made from the seeds: a VNTC archive and a ViCoV19QA set.

    The archive holds :func:`write_news`'s articles as VNTC has them (UTF-16LE
    with BOM, CRLF, ``Test_Full/<topic>/<name>.txt``); each answer is a seed
    sentence, asked for by its first eight words.
    """
    root = tmp_path_factory.mktemp("seed-data")
    news = root / "news"
    write_news(news)
    for path in sorted(news.rglob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
        path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    pack_vntc(news, root)
    parts = {"train": slice(0, 40), "val": slice(40, 50), "test": slice(50, 60)}
    write_questions(root, {
        split: [[n, " ".join(sentence.split()[:8]) + "?", sentence]
                for n, sentence in enumerate(SENTENCES[part], start=part.start)]
        for split, part in parts.items()
    })  # fmt: skip
    return root


#: How many answers of each split :func:`vicov19qa_sample` keeps: the benchmarks
#: below ask at most 20 ``val`` questions; their answers are among the first 20.
SAMPLE_ANSWERS = {"train": 200, "val": 20, "test": 20}


@pytest.fixture(scope="module")
def vntc_sample(tmp_path_factory, vntc_articles: Path) -> Path:
    """A shared data folder whose VNTC archive holds the 300 real articles of ``vntc_articles``, unchanged."""
    return made_once(tmp_path_factory, "vntc-sample", lambda root: pack_vntc(vntc_articles, root))


@pytest.fixture(scope="module")
def vicov19qa_sample(tmp_path_factory) -> Path:
    """A shared data folder whose UIT-ViCoV19QA set is the first rows of each split (:data:`SAMPLE_ANSWERS`)."""

    def make(root: Path) -> None:
        rows = {}
        for split, count in SAMPLE_ANSWERS.items():
            with open(SHARED_DATA / "vicov19qa" / f"UIT-ViCoV19QA_1ans_{split}.csv", encoding="utf-8", newline="") as f:
                rows[split] = list(csv.reader(f, delimiter="|"))[1 : count + 1]
        write_questions(root, rows)

    return made_once(tmp_path_factory, "vicov19qa-sample", make)


def on_data(name: str, once: bool = False):
    """Run the test on the seed-made data and on a sample of the shared data set ``name`` (if there).

    ``once``: on the sample alone when the shared data is there.
    """
    shared = pytest.param(name, marks=pytest.mark.shared_data(name), id="shared")
    both = not (once and (SHARED_DATA / name).exists())
    return pytest.mark.parametrize("data", ["seeds", shared] if both else [shared], indirect=True)


@pytest.fixture
def data(request) -> Path:
    """The seed-made data folder, or the sample of the shared data set the test is parametrized with."""
    return request.getfixturevalue("seed_data" if request.param == "seeds" else f"{request.param}_sample")


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


# Once: speed.py starts some 30 processes (~12 s) whatever the sample.  Without
# the shared data it runs on the seed-made archive, which the segmentation test
# reads in every run (through speed.py's archive_members and choose).
@on_data("vntc", once=True)
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
