"""``python -m vnsearch``: the ``vnsearch`` command, for when it is not on the PATH."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="vnsearch")
