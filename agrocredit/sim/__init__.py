"""The sample-county generator: a deterministic North China Plain county (land, records)
that the demo, the tests and the benchmarks run on.
"""
