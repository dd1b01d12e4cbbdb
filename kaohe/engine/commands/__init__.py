"""The engine's commands as plain functions of argv, free of Django.

The `kaohe` entry point hands them their arguments:

- `kaohe scheme ...`  -> kaohe.engine.commands.scheme.run(argv)
- `kaohe score ...`   -> kaohe.engine.commands.score.run(argv)
- `kaohe explain ...` -> kaohe.engine.commands.explain.run(argv)

Each returns the exit status: 0 done, 1 bad input (every problem printed to stderr), 2 bad usage.
"""
