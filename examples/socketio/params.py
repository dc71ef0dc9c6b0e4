"""Socket.io middleware sets keys on `socket.feathers`; every call's params carry them."""

from feathers_cli.runtime import feathers
from feathers_cli.runtime.socketio import socketio

app = feathers()


def setup_io(io):
    def add_user(socket, next):
        socket.feathers["user"] = {"name": "David"}
        next()

    io.use(add_user)


app.configure(socketio(setup_io))


class Messages:
    async def create(self, data, params):
        # When called via Socket.io:
        print(params["provider"])  # -> socketio
        print(params["user"])  # -> {'name': 'David'}
        return data


app.use("messages", Messages())

if __name__ == "__main__":
    app.listen(3030)
