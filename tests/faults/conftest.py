from tests.serve.helpers import servers

__all__ = ["servers"]
