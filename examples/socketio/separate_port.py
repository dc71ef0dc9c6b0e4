"""app.configure(socketio(port)): Socket.io on a port of its own (3031), the app on 3030."""

from feathers_cli.runtime import feathers
from feathers_cli.runtime.socketio import socketio

app = feathers()

app.configure(socketio(3031))

if __name__ == "__main__":
    app.listen(3030)
