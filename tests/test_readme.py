"""The README's examples, run on the seeds: their output must be what the README shows.

An example is a ```text block in README.md whose lines starting with ``$ `` are
commands; the lines after each command, up to the next one, are its output.
A line that is only ``…`` stands for any number of lines left out. A ```python
block followed by a ```text block is a program and what it prints.

Each command runs as a real ``vnsearch`` process (stdout a pipe, so no
colours) in a copy of ``seeds/`` with its index already built, a fresh copy
for each command. What must vary is normalised: the index's ``size:`` and
``last update:`` in ``vnsearch stats``. Scores are compared exactly.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS

README = ROOT / "README.md"
ELIDED = "…"
#: Commands that need an index the repository does not carry: not run.
NOT_ON_SEEDS = {"--index vntc-index": "needs the index of the 10,000 VNTC articles (vntc-index)"}
#: ``vnsearch stats`` lines whose value depends on the machine and the moment.
VARYING = re.compile(r"^(size|last update):(\s+).*$", re.MULTILINE)


def _blocks(text: str) -> list[tuple[str, int, list[str]]]:
    """Every fenced block of ``text``: (language, line number of its first line, lines)."""
    blocks, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("```") and lines[i] != "```":
            start, lang = i + 1, lines[i][3:].strip()
            end = lines.index("```", start)
            blocks.append((lang, start + 1, lines[start:end]))
            i = end
        i += 1
    return blocks


def _readme_examples() -> tuple[list, list]:
    """(command examples, python examples) of the README."""
    blocks = _blocks(README.read_text(encoding="utf-8"))
    commands, programs = [], []
    for (lang, first, lines), following in zip(blocks, blocks[1:] + [None]):
        if lang == "text" and any(line.startswith("$ ") for line in lines):
            assert lines[0].startswith("$ "), f"README.md:{first}: an example block starts with a command"
            for n, line in enumerate(lines):
                if line.startswith("$ "):
                    rest = lines[n + 1 :]
                    stop = next((k for k, later in enumerate(rest) if later.startswith("$ ")), len(rest))
                    commands.append(pytest.param(line[2:], rest[:stop], id=f"line{first + n}"))
        elif lang == "python" and following is not None and following[0] == "text":
            programs.append(pytest.param("\n".join(lines), following[2], id=f"line{first}"))
    return commands, programs


COMMANDS, PROGRAMS = _readme_examples()


def _same(actual: list[str], expected: list[str]) -> bool:
    """Whether ``actual`` is ``expected`` where each ``…`` line stands for any lines."""
    if ELIDED not in expected:
        return actual == expected
    k = expected.index(ELIDED)
    head, tail = expected[:k], expected[k + 1 :]
    if actual[:k] != head:
        return False
    return any(_same(actual[j:], tail) for j in range(k, len(actual) + 1))


def _lines(text: str) -> list[str]:
    return VARYING.sub(r"\1:\2(varies)", text).rstrip("\n").splitlines()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VNSEARCH_") and k != "NO_COLOR"}
    src = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
    return env


def _vnsearch() -> list[str]:
    """The installed ``vnsearch`` script beside this Python, else ``python -m vnsearch``."""
    script = Path(sys.executable).with_name("vnsearch")
    return [str(script)] if script.exists() else [sys.executable, "-m", "vnsearch"]


def _index_example(folder: Path) -> None:
    """What ``$ vnsearch index`` shows: one new article, one changed, one binary file."""
    seeds = folder / "seeds"
    shutil.copy(seeds / "000_d72407d80385c662.txt", seeds / "005_new.txt")
    changed = seeds / "001_ed94f582c28c4ae9.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nThêm một đoạn.\n", encoding="utf-8")
    (seeds / "logo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def _news_jsonl(folder: Path) -> None:
    """``news.jsonl``: the README's JSON Lines example (its ```jsonl block)."""
    [lines] = [lines for lang, _, lines in _blocks(README.read_text(encoding="utf-8")) if lang == "jsonl"]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _news_added(folder: Path) -> None:
    """The README's ``news.jsonl``, added."""
    _news_jsonl(folder)
    subprocess.run([*_vnsearch(), "add", "news.jsonl"], cwd=folder, env=_env(), check=True, capture_output=True)


#: What a command's example assumes besides the seeds and their index.
SETUP = {"vnsearch index": _index_example, "vnsearch add news.jsonl": _news_jsonl, "vnsearch delete vnx-2024-118": _news_added}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a copy of ``seeds/`` and its index (``./index``)."""
    folder = tmp_path_factory.mktemp("readme-built")
    shutil.copytree(SEEDS, folder / "seeds")
    subprocess.run([*_vnsearch(), "index"], cwd=folder, env=_env(), check=True, capture_output=True)
    return folder


def test_the_readme_has_examples() -> None:
    assert len(COMMANDS) >= 6 and PROGRAMS


@pytest.mark.parametrize(("command", "expected"), COMMANDS)
def test_command_example(command: str, expected: list[str], built: Path, tmp_path: Path) -> None:
    for needs, why in NOT_ON_SEEDS.items():
        if needs in command:
            pytest.skip(f"not checked: {command!r} {why}")
    words = shlex.split(command, comments=True)
    head = None
    if "|" in words:
        bar = words.index("|")
        assert words[bar + 1 :][:1] == ["head"] and len(words) == bar + 3, f"only `| head -N` is handled: {command}"
        head, words = int(words[-1].lstrip("-n")), words[:bar]
    assert words[0] == "vnsearch", command
    folder = tmp_path / "example"
    shutil.copytree(built, folder)
    SETUP.get(command, lambda _: None)(folder)
    run = subprocess.run([*_vnsearch(), *words[1:]], cwd=folder, env=_env(), capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    out = run.stdout.splitlines()[:head] if head else run.stdout.splitlines()
    actual = _lines(run.stderr + "\n".join(out))
    wanted = _lines("\n".join(expected))
    assert _same(actual, wanted), f"$ {command}\n" + "\n".join(actual)


@pytest.mark.parametrize(("code", "expected"), PROGRAMS)
def test_python_example(code: str, expected: list[str], tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert _same(_lines(run.stdout), _lines("\n".join(expected))), run.stdout
