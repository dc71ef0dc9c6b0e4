"""The feathers-py runtime: Feathers' services, hooks, events and channels for Python.

In a generated project this package is vendored as `feathers`::

    from feathers import feathers
    from feathers.memory import MemoryService

    app = feathers()
    app.use('messages', MemoryService())

It uses only relative imports so that it can be copied anywhere under any name.
"""

__version__ = "0.1.0"

from .application import Application, feathers  # noqa: E402
from .channels import Channel, CombinedChannel  # noqa: E402
from .events import EventEmitter  # noqa: E402
from .hooks import HookContext  # noqa: E402
from .routing import Lookup  # noqa: E402
from .service import HookedMethod, ServiceOptions, get_service_options  # noqa: E402

__all__ = [
    "Application",
    "Channel",
    "CombinedChannel",
    "EventEmitter",
    "HookContext",
    "HookedMethod",
    "Lookup",
    "ServiceOptions",
    "__version__",
    "feathers",
    "get_service_options",
]
