import pytest


@pytest.fixture(scope="session")
def service_package() -> str:
    return "realestate_service"
