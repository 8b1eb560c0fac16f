"""Parts of the DNC list import: layout detection, row parsing, loading."""
