"""exomir: from MSC exosome miRNA sets to targets, bias-corrected enrichment and signatures."""

from __future__ import annotations

__version__ = "0.1.0"
