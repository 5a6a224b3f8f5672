from worktally.cli import app

app()
