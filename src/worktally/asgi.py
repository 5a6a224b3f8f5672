"""The ASGI application for servers: ``uvicorn worktally.asgi:app``. Settings from the environment."""

from worktally.main import create_app

app = create_app()
