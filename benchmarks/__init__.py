"""The benchmark harness: how close matgrad's hand-derived backprop runs to its matrix products.

Not part of the matgrad package (nothing of it is in the wheel). Run from the repository root::

    make bench                      # its own venv (.venv-bench, benchmarks/requirements.txt), then --save
    python -m benchmarks --save     # the same, in a venv that has torch, jax, threadpoolctl, matplotlib

It times, side by side in one process, one forward + backward pass (loss and every gradient) of the
two-layer softmax net and the logistic net (:mod:`benchmarks.cases`), in float64 and float32, by
the implementations of :mod:`benchmarks.implementations`: ``floor`` (only the five matrix products
the pass must do), ``matgrad`` (the public function, input checks included), ``jax``
(``jax.jit(jax.value_and_grad(loss))``), ``torch`` (``torch.autograd.grad``) and ``torch_floor``
(the five products with ``torch.mm``). jax and torch run when importable, and are first checked to
compute matgrad's numbers (:mod:`benchmarks.crosscheck`).

The modules, one concept each:

- :mod:`benchmarks.cases`: the cases (net, sizes, dtype) and their data
- :mod:`benchmarks.implementations`: the implementations by name (floor, matgrad, torch, jax)
- :mod:`benchmarks.crosscheck`: the agreement of jax and torch with matgrad
- :mod:`benchmarks.measure`: interleaved timing with pauses and retaken samples
- :mod:`benchmarks.pressure`: Linux pressure stall information for the CPU
- :mod:`benchmarks.run`: cases measured into records
- :mod:`benchmarks.records`: the record format and its validation
- :mod:`benchmarks.machine`, :mod:`benchmarks.provenance`, :mod:`benchmarks.blas_env`: what the
  figures depend on (CPU, BLAS kernel, versions, environment, the code's git state)
- :mod:`benchmarks.report`, :mod:`benchmarks.targets`, :mod:`benchmarks.plot`,
  :mod:`benchmarks.page`: the Markdown report, the targets, the plot, the site page's sections
- :mod:`benchmarks.paths`: where the committed record lives
- :mod:`benchmarks.cli`: the command line (``python -m benchmarks --help``)

Importing any of them imports neither torch nor jax: the site's benchmark page and the tests use
them with NumPy (and matplotlib) only.
"""
