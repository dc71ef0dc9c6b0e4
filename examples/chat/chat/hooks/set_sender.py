"""The `set_sender` hook: a new message's `user_id` is the id of the user sending it.

Registered on `messages` before `create`, after `authenticate("jwt")`: clients cannot choose
a sender (`Data` refuses a `user_id`), the logged-in user of the call is the sender.
"""

from feathers.errors import NotAuthenticated


def _with_sender(record, user_id):
    return {**record, "user_id": user_id} if isinstance(record, dict) else record


def set_sender(context):
    """Set `user_id` on the created data from `params["user"]`; NotAuthenticated without one."""
    user = context.params.get("user")
    if user is None:
        raise NotAuthenticated("A message needs a sender: log in, or pass params['user']")
    # New dicts, so the caller's data is left as it was.
    if isinstance(context.data, list):
        context.data = [_with_sender(record, user["id"]) for record in context.data]
    else:
        context.data = _with_sender(context.data, user["id"])
