"""CORS: allow a web page served from another origin to connect.

`{'origin': True}` allows any origin; a string or a list allows those origins only.
Without `cors` nothing cross-origin is allowed.
"""

from feathers_cli.runtime import feathers
from feathers_cli.runtime.socketio import socketio

app = feathers()

# setting `origin` to True will allow requests from any origin
app.configure(socketio({"cors": {"origin": True}}))

if __name__ == "__main__":
    app.listen(3030)
