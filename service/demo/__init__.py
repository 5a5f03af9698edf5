"""Demo data: writers for the public formats and the generated demo dataset."""
