"""``vnsearch add`` as a real process: killed midway, fed 100,000 lines, fed any JSON at all."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SENTENCES, made_once
from vnsearch import Searcher
from vnsearch.cli import main
from vnsearch.jsonl import FIELDS

pytestmark = pytest.mark.slow

#: Lines of the file a kill interrupts.
KILLED_LINES = 20_000
#: Moments of an uninterrupted run the add is killed at, as shares of its length.
KILL_AT = [0.15, 0.5, 0.85, 0.97]


def add_command(path: Path, index: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "vnsearch.cli", "add", str(path), "--index", str(index), *options]


def write_jsonl(path: Path, count: int, sentences: int = 2, seed: int = 0) -> None:
    """``count`` articles made of the seeds' sentences, ids ``j0``…, one JSON object a line."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            body = ". ".join(rng.sample(SENTENCES, sentences)) + "."
            out.write(json.dumps({"id": f"j{n}", "title": rng.choice(SENTENCES)[:60], "body": body}, ensure_ascii=False) + "\n")


def added_count(index: Path) -> int:
    with Searcher(index) as searcher:
        return searcher.stats().sources["json"]


def _killable(root: Path) -> None:
    """An index with one article, a file of 20,000 more, and how long adding it takes."""
    write_jsonl(root / "first.jsonl", 1, seed=1)
    write_jsonl(root / "news.jsonl", KILLED_LINES)
    subprocess.run(add_command(root / "first.jsonl", root / "index"), check=True, capture_output=True)
    (root / "index").rename(root / "pristine")
    subprocess.run(["cp", "-r", str(root / "pristine"), str(root / "timed")], check=True)
    start = time.perf_counter()
    subprocess.run(add_command(root / "news.jsonl", root / "timed"), check=True, capture_output=True)
    (root / "seconds").write_text(str(time.perf_counter() - start))


@pytest.mark.parametrize("share", KILL_AT)
def test_a_killed_add_leaves_all_or_nothing_and_the_next_finishes(tmp_path_factory, tmp_path: Path, share: float) -> None:
    root = made_once(tmp_path_factory, "killed-add", _killable)
    index = tmp_path / "index"
    subprocess.run(["cp", "-r", str(root / "pristine"), str(index)], check=True)
    proc = subprocess.Popen(add_command(root / "news.jsonl", index), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(float((root / "seconds").read_text()) * share)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    count = added_count(index)  # the index opens and searches
    assert count in (1, KILLED_LINES)  # j0 of first.jsonl is replaced by j0 of news.jsonl

    done = subprocess.run(add_command(root / "news.jsonl", index), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert added_count(index) == KILLED_LINES
    with Searcher(index) as searcher:
        assert searcher.search("id:j19999").total == 1


def test_a_file_of_100000_lines_streams(tmp_path: Path) -> None:
    """Memory stays that of the writer's buffers: ten times the lines take little more than a tenth of them."""
    peaks = {}
    for count in (10_000, 100_000):
        path = tmp_path / f"{count}.jsonl"
        with path.open("w", encoding="utf-8") as out:  # short articles: the reading, not the analysis, is tested
            for n in range(count):
                out.write(json.dumps({"id": f"tin-{n}", "body": f"Bản tin số {n} về dân số."}, ensure_ascii=False) + "\n")
        proc = subprocess.Popen(add_command(path, tmp_path / f"index-{count}"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        out, err = proc.communicate()
        assert os.waitstatus_to_exitcode(status) == 0, err
        assert f"{count} added" in out.decode()
        peaks[count] = usage.ru_maxrss / 1024  # MB
    assert peaks[100_000] < peaks[10_000] + 150, peaks
    with Searcher(tmp_path / "index-100000") as searcher:
        assert searcher.search("bản tin số 99999").hits[0].id == "tin-99999"


# -- any JSON at all -------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)
#: Records with an article's keys, some right and some wrong; and anything else.
records = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={key: json_values for key in FIELDS}),
    st.fixed_dictionaries(
        {"id": st.text(min_size=1, max_size=20) | st.integers(), "body": st.text(min_size=1, max_size=60)},
        optional={key: st.none() | st.text(max_size=30) for key in FIELDS if key not in ("id", "body")},
    ),
)
lines = st.lists(
    st.tuples(records, st.booleans()).map(lambda r: json.dumps(r[0], ensure_ascii=r[1]))
    | st.binary(max_size=20).filter(lambda b: b"\n" not in b).map(lambda b: b.decode("latin-1")),
    min_size=1,
    max_size=4,
)


@pytest.fixture(scope="module")
def hypothesis_index(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("any-json") / "index"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=lines)
def test_any_json_is_added_or_named_by_its_line(hypothesis_index: Path, lines: list[str]) -> None:
    data = "".join(line + "\n" for line in lines).encode("utf-8", "surrogatepass")
    result = CliRunner().invoke(main, ["add", "-", "--index", str(hypothesis_index)], input=data)
    assert result.exit_code in (0, 2), (result.exception, result.stderr)
    if result.exit_code == 0:
        assert result.stderr == "" and " bad lines skipped" in result.stdout
        return
    errors = result.stderr.splitlines()
    assert all(line.startswith("vnsearch: ") for line in errors), errors
    assert errors[0].startswith("vnsearch: stdin:") and errors[0].split(":")[2].isdigit(), errors
    assert len(errors) == 1 or errors[-1].endswith("nothing was added (fix them, or give --skip-bad to add the others)")
