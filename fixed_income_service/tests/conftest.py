import pytest


@pytest.fixture(scope="session")
def service_package() -> str:
    return "fixed_income_service"
