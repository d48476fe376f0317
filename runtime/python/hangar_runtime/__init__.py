"""Hangar's in-container runtime: loads a processor class and serves the Cog HTTP prediction API.

Standard library only, so it runs on any image that has python3 and nothing else.
"""

__version__ = "0.1.0"
