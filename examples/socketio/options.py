"""app.configure(socketio(options, callback)): Socket.io options, e.g. the path `/ws/`."""

from feathers_cli.runtime import feathers
from feathers_cli.runtime.socketio import socketio

app = feathers()


def setup_io(io):
    # Do something here
    # This function is optional
    pass


app.configure(socketio({"path": "/ws/"}, setup_io))

if __name__ == "__main__":
    app.listen(3030)
