"""The partner API: read-only JSON (and CSV) of the published maps, under /api/v1/."""
