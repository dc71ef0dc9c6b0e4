"""The `messages` service class: records kept in the `messages` table of the app's database.

Every method takes Feathers' query syntax, e.g.
`await app.service("messages").find({"query": {"$limit": 5, "$sort": {"id": -1}}})`.
The table is derived from the model in `schema.py`: to add a field, add it there, then a
migration for it (from the project folder:
`alembic revision --autogenerate -m "add a field to messages"`) and run `feathers migrate`.
"""

from feathers.sql import SQLService

from .schema import messages_table


class MessagesService(SQLService):
    """Records of `messages`, one row each. To change what a method does, override it and call
    the adapter for the storage part::

        async def create(self, data, params=None):
            data = {**data, "text": data.get("text", "").strip()}
            return await super().create(data, params)
    """

    def __init__(self, engine, **options):
        super().__init__(messages_table, engine, **options)
