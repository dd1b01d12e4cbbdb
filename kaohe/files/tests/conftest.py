import pytest


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Blobs go to a fresh folder per test: the storage reads settings.DATA_DIR at call time."""
    settings.DATA_DIR = tmp_path
    return tmp_path
