"""The theorem report: the claim model, the runner (worker processes, the cache of finished
claims) and the renderers (Markdown, HTML, JSON).

The claims themselves live in the top-level
package ``proofs_checks``; only :mod:`gdtheory.cli` loads them and hands them to the runner.
"""
