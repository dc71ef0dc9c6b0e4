"""app.configure(socketio()): the Socket.io transport with its defaults.

Run: python examples/socketio/basic.py  (then connect a Feathers client to port 3030)
"""

from feathers_cli.runtime import feathers
from feathers_cli.runtime.socketio import socketio

app = feathers()

app.configure(socketio())

if __name__ == "__main__":
    app.listen(3030)
