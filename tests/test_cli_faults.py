"""Faults the user can act on: one ``vnsearch:`` line on stderr, exit 2, no traceback.

Results that cannot be written (a full disk, a closed stdout, an encoding
without Vietnamese letters), OS errors escaping the library, and ids or paths
that would break a line of text output.
"""

from __future__ import annotations

import datetime
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import SEED_IDS, write_article
from vnsearch import Article, Searcher, build_index, storage
from vnsearch.cli import main

A000 = SEED_IDS["000"]
SRC = str(Path(__file__).resolve().parent.parent / "src")


def run_vnsearch(*args: str, stdout=subprocess.PIPE, shell_redirect: str = "", env: dict | None = None):
    """Run the command in a real process (``shell_redirect`` is applied by sh, e.g. ``>&-``)."""
    command = [sys.executable, "-m", "vnsearch.cli", *args]
    if shell_redirect:
        command = ["sh", "-c", f'"$@" {shell_redirect}', "sh", *command]
    return subprocess.run(
        command,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": SRC, **(env or {})},
        timeout=120,
    )


def error_line(stderr: bytes | str) -> str:
    """The single ``vnsearch:`` line a failed command printed, with no traceback."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    lines = text.splitlines()
    assert len(lines) == 1, text
    assert lines[0].startswith("vnsearch: ")
    return lines[0]


def assert_error_line(result: Result) -> str:
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    return error_line(result.stderr)


@pytest.fixture
def writable_env(seeds_dir: Path, tmp_path: Path) -> dict[str, str]:
    return {"VNSEARCH_SEEDS": str(seeds_dir), "VNSEARCH_INDEX": str(tmp_path / "index")}


# --- results that cannot be written -------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args", [["search", "dân số"], ["search", "--json", "dân số"], ["show", A000], ["stats"]]
)
def test_results_on_a_full_disk(built_index: Path, args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        proc = run_vnsearch(*args, "--index", str(built_index), stdout=full)
    assert proc.returncode == 2
    assert error_line(proc.stderr) == (
        "vnsearch: cannot write the results: No space left on device: free some space, then try again"
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_index_summary_on_a_full_disk(seeds_dir: Path, tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        args = ["index", "--seeds", str(seeds_dir), "--index", str(tmp_path / "index")]
        proc = run_vnsearch(*args, stdout=full)
    assert proc.returncode == 2
    assert "cannot write the results: No space left on device" in error_line(proc.stderr)
    with Searcher(tmp_path / "index") as searcher:  # the index itself was built
        assert searcher.stats().articles == len(SEED_IDS)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [[], ["--version"]])
def test_help_and_version_on_a_full_disk(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        proc = run_vnsearch(*args, stdout=full)
    assert proc.returncode == 2
    assert "cannot write the results: No space left on device" in error_line(proc.stderr)


def test_results_with_stdout_closed(built_index: Path) -> None:
    proc = run_vnsearch("search", "dân số", "--index", str(built_index), shell_redirect=">&-")
    assert proc.returncode == 2
    assert error_line(proc.stderr) == "vnsearch: cannot write the results: Bad file descriptor"


# --- an output encoding without Vietnamese letters ----------------------------------------


def test_text_results_in_latin_1_are_refused_with_the_fix(built_index: Path) -> None:
    latin_1 = {"PYTHONIOENCODING": "latin-1"}
    proc = run_vnsearch("search", "dân số", "--index", str(built_index), env=latin_1)
    assert proc.returncode == 2
    assert error_line(proc.stderr) == (
        "vnsearch: the output encoding 'latin-1' cannot write Vietnamese text: "
        "set PYTHONIOENCODING=utf-8 or use a UTF-8 locale"
    )


def test_json_results_in_latin_1_are_escaped(built_index: Path) -> None:
    latin_1 = {"PYTHONIOENCODING": "latin-1"}
    proc = run_vnsearch("search", "--json", "dân số", "--index", str(built_index), env=latin_1)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.isascii()
    assert json.loads(proc.stdout)["query"] == "dân số"


def test_error_about_a_vietnamese_path_in_latin_1_is_escaped(tmp_path: Path) -> None:
    missing = tmp_path / "chỉ_mục"
    proc = run_vnsearch("stats", "--index", str(missing), env={"PYTHONIOENCODING": "latin-1:strict"})
    assert proc.returncode == 2
    line = error_line(proc.stderr)
    assert "ch\\u1ec9_m\\u1ee5c" in line


# --- OS errors from the library -----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (errno.ENOSPC, "free some space"),
        (errno.EROFS, "writable"),
        (errno.EACCES, "permissions"),
        (errno.EIO, "disk"),
        (errno.ENOENT, "index"),
    ],
)
def test_os_error_while_indexing_is_one_line(writable_env, monkeypatch, code: int, advice: str) -> None:
    target = os.path.join(writable_env["VNSEARCH_INDEX"], "CURRENT.json")

    def failing(index_dir, name, replacing=None):
        raise OSError(code, os.strerror(code), target)

    monkeypatch.setattr(storage, "publish", failing)
    line = assert_error_line(CliRunner().invoke(main, ["index"], env=writable_env))
    assert line.startswith("vnsearch: cannot ") and f"'{target}': {os.strerror(code)}: " in line
    assert advice in line


def test_os_error_while_searching_is_one_line(built_index: Path, monkeypatch) -> None:
    def failing(index_dir, name=None):
        raise PermissionError(errno.EACCES, "Permission denied", str(index_dir))

    monkeypatch.setattr(storage, "open_index", failing)
    result = CliRunner().invoke(main, ["search", "dân số", "--index", str(built_index)])
    line = assert_error_line(result)
    assert f"'{built_index}': Permission denied" in line


def test_other_os_errors_are_still_bugs(built_index: Path, monkeypatch) -> None:
    def failing(index_dir, name=None):
        raise OSError(errno.EBADF, "Bad file descriptor")

    monkeypatch.setattr(storage, "open_index", failing)
    result = CliRunner().invoke(main, ["stats", "--index", str(built_index)])
    assert result.exit_code == 70
    assert "internal error" in error_line(result.stderr)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_read_only_index_folder(writable_env) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["index"], env=writable_env).exit_code == 0
    seeds = Path(writable_env["VNSEARCH_SEEDS"])
    write_article(seeds, "moi", "Bài mới", "Dân số tăng nhanh ở vùng cao.")
    index_dir = Path(writable_env["VNSEARCH_INDEX"])
    index_dir.chmod(0o555)
    try:
        line = assert_error_line(runner.invoke(main, ["index"], env=writable_env))
    finally:
        index_dir.chmod(0o755)
    assert "Permission denied" in line and str(index_dir) in line


# --- ids and paths that would break a line ------------------------------------------------


@pytest.fixture
def odd_id_index(tmp_path: Path) -> Path:
    """An index of one article whose id and path hold a newline and an escape character."""
    article = Article(
        id="the-thao/a\nb\x1b",
        path=str(tmp_path / "seeds" / "the-thao" / "a\nb\x1b.txt"),
        title="Dân số vùng cao",
        date=datetime.date(2024, 6, 20),
        author="Lò Văn Sơn",
        url=None,
        site=None,
        body="Dân số tăng nhanh ở vùng cao.",
        sha256="0" * 64,
        category="the-thao",
    )
    build_index([article], tmp_path / "index")
    return tmp_path / "index"


def test_search_shows_an_odd_id_on_one_line(odd_id_index: Path) -> None:
    result = CliRunner().invoke(main, ["search", "dân số", "--index", str(odd_id_index)])
    assert result.exit_code == 0, (result.output, result.exception)
    (meta,) = [line for line in result.stdout.splitlines() if "score" in line]
    assert "the-thao/a\\nb\\x1b · score" in meta


def test_show_shows_an_odd_id_and_path_on_one_line(odd_id_index: Path) -> None:
    result = CliRunner().invoke(main, ["show", "the-thao/a\nb\x1b", "--index", str(odd_id_index)])
    assert result.exit_code == 0, (result.output, result.exception)
    lines = result.stdout.splitlines()
    assert "     id: the-thao/a\\nb\\x1b" in lines
    assert any(line.startswith("   file: ") and line.endswith("a\\nb\\x1b.txt") for line in lines)


def test_json_keeps_an_odd_id_as_it_is(odd_id_index: Path) -> None:
    result = CliRunner().invoke(main, ["search", "--json", "dân số", "--index", str(odd_id_index)])
    assert result.exit_code == 0, (result.output, result.exception)
    assert [hit["id"] for hit in json.loads(result.stdout)["hits"]] == ["the-thao/a\nb\x1b"]


def test_unknown_odd_id_is_one_line(odd_id_index: Path) -> None:
    result = CliRunner().invoke(main, ["show", "x\ny", "--index", str(odd_id_index)])
    assert "'x\\ny'" in assert_error_line(result)


def test_skipped_files_with_odd_names_get_a_line_each(seeds_dir: Path, tmp_path: Path) -> None:
    (seeds_dir / "hình\nảnh.txt").write_bytes(b"\x00\x01PNG")
    with open(os.path.join(os.fsencode(seeds_dir), b"bad\xff\xfe.txt"), "wb") as f:
        f.write(b"\x00\x01PNG")
    index_dir = tmp_path / "chỉ\nmục"
    result = CliRunner().invoke(main, ["index", "--seeds", str(seeds_dir), "--index", str(index_dir)])
    assert result.exit_code == 0, (result.output, result.exception)
    assert sorted(result.stderr.splitlines()) == [
        f"vnsearch: skipped {seeds_dir}/bad\\xff\\xfe.txt: binary file (NUL bytes)",
        f"vnsearch: skipped {seeds_dir}/hình\\nảnh.txt: binary file (NUL bytes)",
    ]
    (summary,) = result.stdout.splitlines()
    assert f"'{tmp_path}/chỉ\\nmục'" in summary


@pytest.mark.parametrize("command", [["search", "dân số"], ["show", "lua-dao"]])
def test_an_article_cannot_send_commands_to_the_terminal(tmp_path: Path, command) -> None:
    """Escape sequences in a scraped title or body are shown escaped, never sent to the terminal."""
    article = Article(
        id="lua-dao",
        path=str(tmp_path / "lua-dao.txt"),
        title="Dân số \x1b]0;tiêu đề giả\x07 tăng",
        date=None,
        author=None,
        url=None,
        site=None,
        body="Dân số tăng \x1b[2J\x1b[31mnhanh\x9b.\nĐoạn hai.",
        sha256="0" * 64,
        category=None,
    )
    build_index([article], tmp_path / "index")
    result = CliRunner().invoke(main, [*command, "--index", str(tmp_path / "index")])
    assert result.exit_code == 0, (result.output, result.exception)
    assert not any(char in result.stdout for char in "\x1b\x07\x9b"), result.stdout
    assert "\\x1b[31m" in result.stdout
