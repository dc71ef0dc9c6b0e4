"""The `users` service: where it is mounted, what clients may call, and its hooks.

Generators add hooks at the `# feathers:hooks:...` markers; keep them where they are.
"""

from feathers.authentication import authenticate, hash_password, protect
from feathers.schema import validate_data

# feathers:hook-imports (generators add imports above this line)
from .schema import UserData, UserPatch
from .service import UsersService

PATH = "users"
# The methods clients may call; code on the server can call every method of the service.
METHODS = ["find", "get", "create", "patch", "remove"]


def register_users(app):
    """Mount the service at PATH and register its hooks."""
    # The engine of the app's database: configure_database(app) in app.py sets it.
    engine = app.get("database_engine")
    app.use(
        PATH,
        UsersService(engine, paginate=app.get("paginate")),
        methods=METHODS,
    )
    app.service(PATH).hooks(
        {
            "around": {
                "all": [
                    # feathers:hooks:around:all
                ],
                # feathers:hooks:around (generators add methods above this line)
            },
            "before": {
                "all": [
                    # feathers:hooks:before:all
                ],
                "find": [
                    authenticate("jwt"),
                    # feathers:hooks:before:find
                ],
                "get": [
                    authenticate("jwt"),
                    # feathers:hooks:before:get
                ],
                "create": [
                    validate_data(UserData),
                    hash_password("password"),
                    # feathers:hooks:before:create
                ],
                "patch": [
                    authenticate("jwt"),
                    validate_data(UserPatch),
                    hash_password("password"),
                    # feathers:hooks:before:patch
                ],
                "remove": [
                    authenticate("jwt"),
                    # feathers:hooks:before:remove
                ],
                "update": [
                    authenticate("jwt"),
                    validate_data(UserData),
                    hash_password("password"),
                    # feathers:hooks:before:update
                ],
                # feathers:hooks:before (generators add methods above this line)
            },
            "after": {
                "all": [
                    protect("password"),
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
