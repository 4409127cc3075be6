"""``python -m benchmarks``: re-run without OpenBLAS's kernel overrides if any is set, then measure."""

import sys

from .blas_env import reexec_without_overrides

if __name__ == "__main__":
    reexec_without_overrides(sys.argv[1:])  # before NumPy (and OpenBLAS) is loaded

    from .cli import main

    main()
