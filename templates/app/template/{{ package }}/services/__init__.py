"""The services of this app: each generated service adds its lines at the markers."""
# feathers:service-imports (generators add imports above this line)


def register_services(app):
    """Register every service of the app."""
    # feathers:service-registrations (generators add lines above this line)
