from tests.time_entry.helpers import frozen

__all__ = ["frozen"]
