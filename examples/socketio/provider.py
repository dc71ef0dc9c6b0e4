"""params['provider'] is 'socketio' for calls from a socket: a hook can refuse them."""

from feathers_cli.runtime import feathers
from feathers_cli.runtime.errors import MethodNotAllowed
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.socketio import socketio

app = feathers()
app.configure(socketio())
app.use("users", MemoryService())


def no_remove_over_socketio(context):
    # check for `if context.params.get('provider')` to prevent any external call
    if context.params.get("provider") == "socketio":
        raise MethodNotAllowed("You can not delete a user via Socket.io")


app.service("users").hooks({"before": {"remove": [no_remove_over_socketio]}})

if __name__ == "__main__":
    app.listen(3030)
