"""Settings shared by every test under tests/.

Hypothesis: one profile for all property tests, derandomized (the same examples on every run and
machine, so CI never fails by chance) and without a deadline (the 2-core CI machine is shared).
"""

from hypothesis import settings

settings.register_profile("matgrad", max_examples=30, deadline=None, derandomize=True, database=None)
settings.load_profile("matgrad")
