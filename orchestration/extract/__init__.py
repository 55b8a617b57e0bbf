"""The extraction framework: one table contract (contract.py), one merge/history engine (merge.py), SQL
reads (sql.py), file reads and the file-source asset factory (files.py), the registry of source systems
(registry.py). Source systems themselves are declarations in `orchestration/sources/`.
"""
