"""The options every command shares: --version, --color (and NO_COLOR); `python -m vnsearch`; shell completion."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED_IDS

import vnsearch
from vnsearch.cli import main

ANSI = "\x1b["
#: Where the vnsearch under test is, for the processes the tests start.
SRC = Path(vnsearch.__file__).resolve().parent.parent


def run_module(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``python -m vnsearch ARGS`` in a new process, on the vnsearch under test."""
    path = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "vnsearch", *args],
        env={**os.environ, "PYTHONPATH": path, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# --- version -------------------------------------------------------------------------------


def test_version_is_the_installed_one(runner) -> None:
    installed = importlib.metadata.version("vnsearch")
    result = runner.invoke(main, ["--version"])  # named vnsearch however it was started
    assert result.exit_code == 0
    assert result.stdout == f"vnsearch, version {installed}\n"
    assert vnsearch.__version__ == installed


def test_python_m_vnsearch_is_the_command() -> None:
    done = run_module("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"vnsearch, version {vnsearch.__version__}\n"
    help = run_module("--help")
    assert help.stdout.startswith("Usage: vnsearch [OPTIONS] COMMAND")
    assert help.returncode == 0 and help.stderr == ""


def test_python_m_vnsearch_searches(built_index: Path) -> None:
    done = run_module("search", "--index", str(built_index), "dân số")
    assert done.returncode == 0, done.stderr
    assert "dân số" in done.stdout and ANSI not in done.stdout  # piped: plain


# --- colour --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, terminal, no_color, coloured",
    [
        ([], True, None, True),
        ([], False, None, False),  # piped
        ([], True, "1", False),  # https://no-color.org
        ([], True, "", True),  # NO_COLOR empty counts as unset
        (["--color", "auto"], True, "1", False),
        (["--color", "never"], True, None, False),
        (["--color", "always"], False, None, True),  # `vnsearch --color always … | less -R`
        (["--color", "always"], False, "1", True),  # the option is the user's latest word
    ],
)
def test_color(runner, built_index, options, terminal, no_color, coloured) -> None:
    result = runner.invoke(
        main,
        [*options, "search", "--index", str(built_index), "dân số"],
        color=terminal,
        env={"NO_COLOR": no_color},
    )
    assert result.exit_code == 0, result.output
    assert "dân số" in result.stdout
    assert (ANSI in result.stdout) is coloured


@pytest.mark.parametrize("command", [["search", "kế hoạch hóa"], ["show", SEED_IDS["004"]]])
@pytest.mark.parametrize("before_command", [True, False])
def test_color_option_of_every_command(runner, built_index, command, before_command) -> None:
    """``vnsearch --color never show ID`` and ``vnsearch show --color never ID`` alike."""
    name, *args = command
    for mode, terminal, coloured in [("always", False, True), ("never", True, False)]:
        color = f"--color={mode}"
        head = [color, name] if before_command else [name, color]
        result = runner.invoke(
            main, [*head, "--index", str(built_index), *args], color=terminal, env={"NO_COLOR": None}
        )
        assert result.exit_code == 0, result.output
        assert (ANSI in result.stdout) is coloured, (mode, result.stdout)


def test_command_color_overrides_the_groups(runner, built_index) -> None:
    args = ["--color=never", "search", "--color=always", "--index", str(built_index), "dân số"]
    assert ANSI in runner.invoke(main, args).stdout


def test_bad_color_is_a_usage_error(runner) -> None:
    result = runner.invoke(main, ["--color", "sometimes", "stats"])
    assert result.exit_code == 2
    assert result.stderr.startswith("vnsearch: Invalid value for '--color'")
    assert "'auto', 'always', 'never'" in result.stderr


# --- shell completion ----------------------------------------------------------------------


def test_bash_completion_script(runner) -> None:
    """``eval "$(_VNSEARCH_COMPLETE=bash_source vnsearch)"`` in ~/.bashrc completes vnsearch."""
    result = runner.invoke(main, [], prog_name="vnsearch", env={"_VNSEARCH_COMPLETE": "bash_source"})
    assert result.exit_code == 0
    assert "_vnsearch_completion()" in result.stdout
    assert "complete -o nosort -F _vnsearch_completion vnsearch" in result.stdout


@pytest.mark.parametrize(
    "words, expected",
    [
        ("vnsearch s", ["search", "serve", "show", "stats"]),
        ("vnsearch search --sort ", ["relevance", "date"]),
        ("vnsearch --color ", ["auto", "always", "never"]),
    ],
)
def test_bash_completes_commands_and_choices(runner, words, expected) -> None:
    env = {"_VNSEARCH_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    result = runner.invoke(main, [], prog_name="vnsearch", env=env)
    assert result.exit_code == 0
    assert result.stdout.split() == [f"plain,{word}" for word in expected]
