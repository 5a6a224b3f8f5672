"""The ASGI application for servers: ``uvicorn worktally.asgi:app``. Settings from the environment."""

from worktally.config import Settings
from worktally.core.logs import configure_logging
from worktally.main import create_app

settings = Settings()
configure_logging(settings.log_level, settings.log_format)  # each worker process of `serve --workers N` too
app = create_app(settings)
