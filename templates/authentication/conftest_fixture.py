@pytest.fixture(scope="session", autouse=True)
def environment_file():
    """The variables of .env (FEATHERS_AUTH_SECRET, which `feathers new` wrote there) for the
    tests, the real environment winning; without a secret anywhere, a random one for this
    run. The environment is put back afterwards."""
    import os
    import secrets
    from pathlib import Path

    from dotenv import dotenv_values

    added = {
        name: value
        for name, value in dotenv_values(Path(__file__).parent.parent / ".env").items()
        if value is not None and name not in os.environ
    }
    if not added.get("FEATHERS_AUTH_SECRET") and not os.environ.get("FEATHERS_AUTH_SECRET"):
        added["FEATHERS_AUTH_SECRET"] = secrets.token_urlsafe(48)
    os.environ.update(added)
    yield
    for name in added:
        os.environ.pop(name, None)
