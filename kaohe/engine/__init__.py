"""The scheme language and the scoring engine of kaohe.

Pure Python: nothing here imports Django (a test enforces it). The data flows one way: a scheme
(pydantic model, YAML text form) and a cycle of facts go in; scores, grades, ranks and
explanations come out.
"""
