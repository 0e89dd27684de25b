"""convrec over HTTP: a FastAPI app in front of one `Agent` per worker process.

`convrec serve` runs it with uvicorn; several workers (and several machines) share one catalog
index (a Chroma server) and one session store (PostgreSQL), so any worker can answer any turn.
Importing this package loads no model.
"""
