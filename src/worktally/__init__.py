"""Worktally: a self-hostable server for the WebWork Time Tracker REST API V2."""

__version__ = "0.1.0"
API_VERSION = "2.0.0"
