"""The fault suite (``make chaos``): fund cases through the real API while processes are killed.

Nothing here is part of ``make test``; see ``bench/README.md`` ("Fault suite").
"""
