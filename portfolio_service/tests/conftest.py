import pytest


@pytest.fixture(scope="session")
def service_package() -> str:
    return "portfolio_service"
