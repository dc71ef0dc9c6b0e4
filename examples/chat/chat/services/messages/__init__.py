"""The `messages` service: where it is mounted, what clients may call, and its hooks.

Generators add hooks at the `# feathers:hooks:...` markers; keep them where they are.
Edited by hand for the chat: every method needs a login, and messages embed their sender.
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
                    resolve_external({}),
                    # every message leaves with its sender's public fields, as `user`
                    resolve_result({"user": sender}),
                    # feathers:hooks:around:all
                ],
                # feathers:hooks:around (generators add methods above this line)
            },
            "before": {
                "all": [
                    # only logged-in users read and write messages (params["user"] is theirs)
                    authenticate("jwt"),
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
