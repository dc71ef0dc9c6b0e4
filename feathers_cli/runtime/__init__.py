"""The feathers-py runtime: Feathers' services, hooks, events and channels for Python.

In a generated project this package is vendored as `feathers`::

    from feathers import feathers
    from feathers.memory import MemoryService

    app = feathers()
    app.use('messages', MemoryService())

It uses only relative imports so that it can be copied anywhere under any name.
"""

__version__ = "0.1.0"

from .application import Application, feathers
from .channels import Channel, CombinedChannel
from .events import EventEmitter
from .hooks import HookContext
from .routing import Lookup
from .service import HookedMethod, ServiceOptions, get_service_options

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
