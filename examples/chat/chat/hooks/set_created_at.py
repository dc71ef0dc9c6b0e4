"""The `set_created_at` hook: a new message's `created_at`, in milliseconds since the epoch
(what JavaScript's `Date.now()` and `new Date(ms)` use), taken on the server.

Registered on `messages` before `create`; clients cannot send a `created_at` (`Data` refuses it).
"""

import time


def _stamped(record, now):
    return {**record, "created_at": now} if isinstance(record, dict) else record


def set_created_at(context):
    """Set `created_at` (now, in ms) on the created data, a new dict for each record."""
    now = time.time_ns() // 1_000_000
    if isinstance(context.data, list):
        context.data = [_stamped(record, now) for record in context.data]
    else:
        context.data = _stamped(context.data, now)
