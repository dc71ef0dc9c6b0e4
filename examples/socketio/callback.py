"""app.configure(socketio(callback)): the callback gets the Socket.io server object `io`."""

from feathers_cli.runtime import feathers
from feathers_cli.runtime.socketio import socketio

app = feathers()


def setup_io(io):
    @io.on("connection")
    def on_connection(socket):
        # Do something here
        print("connected:", socket.id)

    # Registering Socket.io middleware
    def referrer(socket, next):
        # Exposing a request property to services and hooks
        socket.feathers["referrer"] = socket.handshake.headers.get("referer")
        next()

    io.use(referrer)


app.configure(socketio(setup_io))

if __name__ == "__main__":
    app.listen(3030)
