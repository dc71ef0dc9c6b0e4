"""The `set_sender` hook: a before hook tidying written data before it is stored.

Register it in a service's hook map, e.g. `"before": {"create": [set_sender]}`.
"""


def _tidy(record):
    if not isinstance(record, dict):
        return record
    return {
        key: value.strip() if isinstance(value, str) else value for key, value in record.items()
    }


def set_sender(context):
    """Strip surrounding whitespace from the text values of create, update and patch data."""
    if context.method in ("create", "update", "patch"):
        # New dicts, so the caller's data is left as it was.
        if isinstance(context.data, list):
            context.data = [_tidy(record) for record in context.data]
        else:
            context.data = _tidy(context.data)
