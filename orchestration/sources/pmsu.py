"""Extract assets of pmsu (contract: docs in the contracts). Not extracted yet: see issue 4."""

assets: list = []
