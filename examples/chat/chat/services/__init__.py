"""The services of this app: each generated service adds its lines at the markers."""

from .messages import register_messages
from .users import register_users

# feathers:service-imports (generators add imports above this line)


def register_services(app):
    """Register every service of the app."""
    register_users(app)
    register_messages(app)
    # feathers:service-registrations (generators add lines above this line)
