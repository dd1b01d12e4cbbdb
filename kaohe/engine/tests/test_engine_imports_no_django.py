"""The engine is pure Python: importing every module of it must not import Django."""

import subprocess
import sys

SCRIPT = """
import importlib, pkgutil, sys
import kaohe.engine
names = [m.name for m in pkgutil.walk_packages(kaohe.engine.__path__, "kaohe.engine.")
         if ".tests" not in m.name]
for name in names:
    importlib.import_module(name)
print(len(names), "django" in sys.modules, any(n.startswith("django") for n in sys.modules))
"""


def test_importing_every_engine_module_leaves_django_unimported():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, env={})
    count, django, any_django = done.stdout.split()
    assert int(count) >= 15
    assert django == "False"
    assert any_django == "False"
