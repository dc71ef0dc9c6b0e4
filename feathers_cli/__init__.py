"""feathers-py: the `feathers` command line tool and the runtime it vendors into projects."""

__version__ = "0.1.0"
