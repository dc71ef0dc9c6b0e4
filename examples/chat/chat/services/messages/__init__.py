"""The `messages` service: where it is mounted, what clients may call, and its hooks.

Generators add hooks at the `# feathers:hooks:...` markers; keep them where they are.

Clients must log in: `authenticate("jwt")` comes first, so an anonymous call is refused
(NotAuthenticated) before the service's other hooks see it.

Edited by hand for the chat: messages embed their sender (`resolve_result`).
"""

from feathers.authentication import authenticate
from feathers.schema import resolve_external, resolve_result, validate_data, validate_query

from ...hooks.set_created_at import set_created_at
from ...hooks.set_sender import set_sender

# feathers:hook-imports (generators add imports above this line)
from .schema import Data, Patch, Query, sender
from .service import MessagesService

PATH = "messages"
# The methods clients may call; code on the server can call every method of the service.
METHODS = ["find", "get", "create", "patch", "remove"]


def register_messages(app):
    """Mount the service at PATH and register its hooks."""
    # The engine of the app's database: configure_database(app) in app.py sets it.
    engine = app.get("database_engine")
    app.use(
        PATH,
        MessagesService(engine, paginate=app.get("paginate")),
        methods=METHODS,
    )
    app.service(PATH).hooks(
        {
            "around": {
                "all": [
                    authenticate("jwt"),
                    resolve_external({}),
                    # every message leaves with its sender's public fields, as `user`
                    resolve_result({"user": sender}),
                    # feathers:hooks:around:all
                ],
                # feathers:hooks:around (generators add methods above this line)
            },
            "before": {
                "all": [
                    validate_query(Query),
                    # feathers:hooks:before:all
                ],
                "find": [
                    # feathers:hooks:before:find
                ],
                "get": [
                    # feathers:hooks:before:get
                ],
                "create": [
                    validate_data(Data),
                    set_sender,
                    set_created_at,
                    # feathers:hooks:before:create
                ],
                "patch": [
                    validate_data(Patch),
                    # feathers:hooks:before:patch
                ],
                "remove": [
                    # feathers:hooks:before:remove
                ],
                # feathers:hooks:before (generators add methods above this line)
            },
            "after": {
                "all": [
                    # feathers:hooks:after:all
                ],
                # feathers:hooks:after (generators add methods above this line)
            },
            "error": {
                "all": [
                    # feathers:hooks:error:all
                ],
                # feathers:hooks:error (generators add methods above this line)
            },
        }
    )
