"""``python -m worktally.worker [options]``: the same command as ``worktally worker [options]``."""

import typer

from worktally.cli import worker

if __name__ == "__main__":
    typer.run(worker)
