"""One row per identity record with the person it belongs to: the connected components of the links graph.

The rules (which records link) are SQL in int_identity_links; finding the groups they form is a graph
job done by scipy's connected_components on a sparse matrix: linear in records + links, whatever the
shape of the chains (iterating SQL joins would need as many rounds as the longest chain).
A person's key is a hash of the smallest record key of its group: pseudonymous and stable while the
group keeps that record.
"""
import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def model(dbt, session):
    dbt.config(materialized="table")
    records = dbt.ref("int_identity_records").select("record_key").to_arrow_table()
    links = dbt.ref("int_identity_links").select("record_key_a, record_key_b").to_arrow_table()

    keys = records.column("record_key").to_numpy(zero_copy_only=False)
    order = np.argsort(keys)
    sorted_keys = keys[order]

    def node_of(column):
        return np.searchsorted(sorted_keys, column.to_numpy(zero_copy_only=False))

    a = node_of(links.column("record_key_a"))
    b = node_of(links.column("record_key_b"))
    n = len(sorted_keys)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, component = connected_components(graph, directed=False)

    resolved = pa.table({"record_key": sorted_keys, "component": component.astype(np.int64)})
    return session.from_arrow(resolved).query(
        "resolved",
        """
        select
            record_key,
            'P' || left(md5(min(record_key) over (partition by component)), 16) as person_key,
            min(record_key) over (partition by component) as person_first_record_key
        from resolved
        """,
    )
