"""Extract assets of ecampus (contract: docs in the contracts). Not extracted yet: see issue 4."""

assets: list = []
